package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
)

// bbolt's on-disk header (format version 2, stable since boltdb 1.0): two
// meta pages, at offset 0 and at offset pageSize. Each is a 16-byte page
// header followed by the meta, in the machine's byte order:
//
//	magic u32 | version u32 | pageSize u32 | flags u32 | root pgid u64 |
//	root sequence u64 | freelist pgid u64 | pgid u64 | txid u64 | checksum u64
//
// checksum is FNV-1a 64 of the 56 bytes before it; pgid is the high-water
// mark, so a whole database is at least pgid*pageSize bytes long.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	boltPageHeaderSize = 16
	boltMetaSize       = 64
	boltChecksumOffset = 56
)

type boltMeta struct {
	pageSize uint32
	pgid     uint64
	txid     uint64
}

// checkFile refuses, without writing to it, a file that bbolt would reject
// or crash on. A missing or empty file passes: bbolt creates the database
// and there is nothing to lose. It reads the header the way bbolt's Open
// does: meta page 0, then meta page 1 at each possible page size.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return openError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return openError(path, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("store: open %s: is a directory", path)
	}
	size := fi.Size()
	if size == 0 {
		return nil
	}

	best, ok := readMeta(f, 0)
	offsets := make([]int64, 0, 15)
	if ok {
		offsets = append(offsets, int64(best.pageSize))
	} else {
		for i := range 15 { // 1 KiB to 16 MiB, as bbolt tries
			offsets = append(offsets, 1024<<i)
		}
	}
	for _, off := range offsets {
		if off >= size {
			break
		}
		if m, found := readMeta(f, off); found {
			if !ok || m.txid > best.txid {
				best = m
			}
			ok = true
			break
		}
	}
	if !ok {
		return fmt.Errorf("store: open %s: %w: no valid bbolt header (a foreign file, or a damaged database)", path, ErrNotDatabase)
	}
	if need := best.pgid * uint64(best.pageSize); uint64(size) < need {
		return fmt.Errorf("store: open %s: %w: file is truncated (%d bytes, the database needs %d)", path, ErrNotDatabase, size, need)
	}
	return nil
}

// readMeta reads and validates the meta page at offset off.
func readMeta(f *os.File, off int64) (boltMeta, bool) {
	buf := make([]byte, boltPageHeaderSize+boltMetaSize)
	if _, err := f.ReadAt(buf, off); err != nil {
		return boltMeta{}, false
	}
	m := buf[boltPageHeaderSize:]
	ne := binary.NativeEndian
	if ne.Uint32(m[0:]) != boltMagic || ne.Uint32(m[4:]) != boltVersion {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	_, _ = h.Write(m[:boltChecksumOffset]) // a hash never fails
	if h.Sum64() != ne.Uint64(m[boltChecksumOffset:]) {
		return boltMeta{}, false
	}
	pageSize := ne.Uint32(m[8:])
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: pageSize, pgid: ne.Uint64(m[40:]), txid: ne.Uint64(m[48:])}, true
}
