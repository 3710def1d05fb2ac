package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Moving a store from one engine to the other (rapport migrate): every
// bucket copied key for key, in transactions that fit etcd's limits, the
// sequences after the keys, and the schema version last, as the commit
// marker: a target without it is refused by Open and OpenEtcd, so a copy
// cut short is never taken for a store.

// copyChunk is how many keys one copy transaction writes: with their
// compares it stays under etcd's 128 operations per transaction.
const copyChunk = 100

// ErrTargetNotEmpty is returned by CopyTo when the target holds data.
var ErrTargetNotEmpty = errors.New("the target is not empty")

// CopyCounts is how many keys CopyTo copied, per bucket.
type CopyCounts map[string]int

// CopyTo copies the whole store to an empty target: a bbolt file that
// does not exist yet, or an etcd prefix with no keys. It checks the copy
// (Check) before returning. eo gives the etcd connection when the target
// is on etcd (its Prefix is ignored: the target's is used).
func (db *DB) CopyTo(ctx context.Context, target Location, eo EtcdOptions) (CopyCounts, error) {
	var w copyWriter
	switch target.Engine {
	case "bolt":
		bw, err := newBoltCopyWriter(target.Path)
		if err != nil {
			return nil, err
		}
		w = bw
	case "etcd":
		eo.Endpoints, eo.Prefix = target.Endpoints, target.Prefix
		ew, err := newEtcdCopyWriter(ctx, eo)
		if err != nil {
			return nil, err
		}
		w = ew
	default:
		return nil, fmt.Errorf("store: copy to %s: unknown engine", target)
	}
	counts, err := db.copyInto(w)
	if cerr := w.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("store: copy to %s: %w", target, err)
	}
	var dst *DB
	if target.Engine == "bolt" {
		dst, err = Open(target.Path, Options{})
	} else {
		dst, err = OpenEtcd(ctx, eo, Options{})
	}
	if err != nil {
		return nil, fmt.Errorf("store: copy to %s: open the copy: %w", target, err)
	}
	defer dst.Close()
	if err := dst.Check(); err != nil {
		return nil, fmt.Errorf("store: copy to %s: the copy fails its check: %w", target, err)
	}
	return counts, nil
}

// copyWriter is the target of a copy.
type copyWriter interface {
	put(bucket []byte, kvs [][2][]byte) error // one transaction
	setSequence(bucket []byte, seq uint64) error
	close() error
}

func (db *DB) copyInto(w copyWriter) (CopyCounts, error) {
	counts := CopyCounts{}
	var version []byte
	for _, name := range allBuckets {
		var seq uint64
		var after []byte // the last key copied; the next chunk starts after it
		for {
			var chunk [][2][]byte
			err := db.view(func(tx kvTx) error {
				b := tx.Bucket(name)
				seq = b.Sequence()
				c := b.Cursor()
				k, v := c.First()
				if after != nil {
					k, v = c.Seek(after)
					if k != nil && bytes.Equal(k, after) {
						k, v = c.Next()
					}
				}
				for ; k != nil && len(chunk) < copyChunk; k, v = c.Next() {
					if bytes.Equal(name, bucketMeta) && bytes.Equal(k, keySchemaVersion) {
						version = bytes.Clone(v) // written last
						continue
					}
					chunk = append(chunk, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			if len(chunk) == 0 {
				break
			}
			if err := w.put(name, chunk); err != nil {
				return nil, fmt.Errorf("copy %s: %w", name, err)
			}
			counts[string(name)] += len(chunk)
			after = chunk[len(chunk)-1][0]
		}
		if seq > 0 {
			if err := w.setSequence(name, seq); err != nil {
				return nil, fmt.Errorf("copy the sequence of %s: %w", name, err)
			}
		}
	}
	if version == nil {
		return nil, errors.New("the source has no schema version")
	}
	if err := w.put(bucketMeta, [][2][]byte{{keySchemaVersion, version}}); err != nil {
		return nil, fmt.Errorf("write the schema version: %w", err)
	}
	return counts, nil
}

// boltCopyWriter writes a new bbolt file.
type boltCopyWriter struct{ db *bolt.DB }

func newBoltCopyWriter(path string) (*boltCopyWriter, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("store: copy to %s: %w (the file exists)", path, ErrTargetNotEmpty)
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: DefaultTimeout})
	if err != nil {
		return nil, openError(path, err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("store: copy to %s: %w", path, err)
	}
	return &boltCopyWriter{db: bdb}, nil
}

func (w *boltCopyWriter) put(bucket []byte, kvs [][2][]byte) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		for _, kv := range kvs {
			if b.Get(kv[0]) != nil {
				return fmt.Errorf("key %x already there", kv[0])
			}
			if err := b.Put(kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

func (w *boltCopyWriter) setSequence(bucket []byte, seq uint64) error {
	return w.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).SetSequence(seq) })
}

func (w *boltCopyWriter) close() error { return w.db.Close() }

// etcdCopyWriter writes under an empty etcd prefix.
type etcdCopyWriter struct {
	cli *clientv3.Client
	e   *etcdEngine
}

func newEtcdCopyWriter(ctx context.Context, eo EtcdOptions) (*etcdCopyWriter, error) {
	if eo.DialTimeout <= 0 {
		eo.DialTimeout = 5 * time.Second
	}
	cli, err := newEtcdClient(eo)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, eo.DialTimeout)
	defer cancel()
	resp, err := cli.Get(cctx, eo.Prefix+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		_ = cli.Close()
		return nil, fmt.Errorf("store: copy to etcd %v%s: %w: %w", eo.Endpoints, eo.Prefix, ErrUnreachable, err)
	}
	if resp.Count > 0 {
		_ = cli.Close()
		return nil, fmt.Errorf("store: copy to etcd %v%s: %w (%d keys under the prefix)", eo.Endpoints, eo.Prefix, ErrTargetNotEmpty, resp.Count)
	}
	return &etcdCopyWriter{cli: cli, e: newEtcdEngine(cli, eo.Prefix, allBuckets)}, nil
}

// put writes one chunk in one transaction, each key only if absent, so a
// copy never overwrites: a second writer, or a repeated chunk, fails.
func (w *etcdCopyWriter) put(bucket []byte, kvs [][2][]byte) error {
	var cmps []clientv3.Cmp
	var ops []clientv3.Op
	for _, kv := range kvs {
		k := w.e.bucketPrefix(bucket) + string(kv[0])
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(k), "=", 0))
		ops = append(ops, clientv3.OpPut(k, string(kv[1])))
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.e.timeout)
	defer cancel()
	resp, err := w.cli.Txn(ctx).If(cmps...).Then(ops...).Commit()
	if err != nil {
		return err
	}
	if !resp.Succeeded {
		return errors.New("a key was written meanwhile by someone else")
	}
	return nil
}

func (w *etcdCopyWriter) setSequence(bucket []byte, seq uint64) error {
	return w.e.update(context.Background(), func(tx kvTx) error { return tx.Bucket(bucket).SetSequence(seq) })
}

func (w *etcdCopyWriter) close() error { return w.cli.Close() }
