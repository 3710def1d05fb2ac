package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/rapport-bot/rapport/store/etcdtest"
)

// kvEngine is an engine under test: its view and update.
type kvEngine struct {
	name   string
	view   func(fn func(kvTx) error) error
	update func(fn func(kvTx) error) error
}

var testBuckets = [][]byte{[]byte("a"), []byte("b")}

func boltTestEngine(t *testing.T) kvEngine {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range testBuckets {
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return kvEngine{
		name:   "bolt",
		view:   func(fn func(kvTx) error) error { return db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) }) },
		update: func(fn func(kvTx) error) error { return db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) }) },
	}
}

func etcdTestEngine(t *testing.T) (kvEngine, *etcdEngine) {
	t.Helper()
	c := etcdtest.Start(t, 1)
	e := newEtcdEngine(c.Client(t), "/"+t.Name(), testBuckets)
	ctx := context.Background()
	return kvEngine{
		name:   "etcd",
		view:   func(fn func(kvTx) error) error { return e.view(ctx, fn) },
		update: func(fn func(kvTx) error) error { return e.update(ctx, fn) },
	}, e
}

func bothEngines(t *testing.T) []kvEngine {
	e, _ := etcdTestEngine(t)
	return []kvEngine{boltTestEngine(t), e}
}

func mustUpdate(t *testing.T, e kvEngine, fn func(kvTx) error) {
	t.Helper()
	if err := e.update(fn); err != nil {
		t.Fatalf("%s: update: %v", e.name, err)
	}
}

// walk returns the bucket's keys as a cursor sees them, forwards then
// backwards, and a Seek.
func walk(b kvBucket, seek string) (fwd, back []string, sought string) {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		fwd = append(fwd, string(k)+"="+string(v))
	}
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		back = append(back, string(k))
	}
	k, _ := c.Seek([]byte(seek))
	return fwd, back, string(k)
}

// Ensure both engines read, write, delete and iterate alike, inside a
// transaction (its own writes visible) and after it.
func TestKVEnginesAgree(t *testing.T) {
	for _, e := range bothEngines(t) {
		t.Run(e.name, func(t *testing.T) {
			for chunk := range 6 { // 600 keys, more than a cursor page; 100 a transaction
				mustUpdate(t, e, func(tx kvTx) error {
					b := tx.Bucket([]byte("a"))
					for i := chunk * 100; i < chunk*100+100; i++ {
						if err := b.Put(fmt.Appendf(nil, "k%04d", i), fmt.Appendf(nil, "v%d", i)); err != nil {
							return err
						}
					}
					return nil
				})
			}
			mustUpdate(t, e, func(tx kvTx) error {
				b := tx.Bucket([]byte("a"))
				if got := string(b.Get([]byte("k0007"))); got != "v7" {
					t.Errorf("Get(k0007) = %q", got)
				}
				if err := b.Delete([]byte("k0001")); err != nil {
					return err
				}
				if err := b.Put([]byte("k0002"), []byte("two")); err != nil {
					return err
				}
				if err := b.Put([]byte("k0599x"), []byte("new")); err != nil {
					return err
				}
				fwd, back, sought := walk(b, "k0001")
				if len(fwd) != 600 || fwd[0] != "k0000=v0" || fwd[1] != "k0002=two" || fwd[599] != "k0599x=new" {
					t.Errorf("forward walk in tx: %d keys, %v … %v", len(fwd), fwd[:3], fwd[len(fwd)-2:])
				}
				if len(back) != 600 || back[0] != "k0599x" || back[599] != "k0000" {
					t.Errorf("backward walk in tx: %d keys, first %v last %v", len(back), back[:2], back[len(back)-3:])
				}
				if sought != "k0002" {
					t.Errorf("Seek(k0001) after deleting it = %q, want k0002", sought)
				}
				if b.Get([]byte("k0001")) != nil {
					t.Error("a deleted key is still read in its transaction")
				}
				if tx.Bucket([]byte("nope")) != nil {
					t.Error("a bucket outside the schema exists")
				}
				return nil
			})
			err := e.view(func(tx kvTx) error {
				b := tx.Bucket([]byte("a"))
				fwd, _, _ := walk(b, "")
				if len(fwd) != 600 || fwd[1] != "k0002=two" {
					t.Errorf("after commit: %d keys, %v", len(fwd), fwd[:2])
				}
				n := 0
				err := b.ForEach(func(k, v []byte) error { n++; return nil })
				if n != 600 {
					t.Errorf("ForEach saw %d keys", n)
				}
				if tx.Bucket([]byte("b")).Get([]byte("k0000")) != nil {
					t.Error("buckets share keys")
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			boom := errors.New("boom")
			if err := e.update(func(tx kvTx) error {
				_ = tx.Bucket([]byte("a")).Put([]byte("k0000"), []byte("lost"))
				return boom
			}); !errors.Is(err, boom) {
				t.Errorf("failed update = %v", err)
			}
			_ = e.view(func(tx kvTx) error {
				if got := string(tx.Bucket([]byte("a")).Get([]byte("k0000"))); got != "v0" {
					t.Errorf("a failed update wrote: %q", got)
				}
				return nil
			})
			var seqs []uint64
			for range 3 {
				mustUpdate(t, e, func(tx kvTx) error {
					n, err := tx.Bucket([]byte("b")).NextSequence()
					seqs = append(seqs, n)
					return err
				})
			}
			if fmt.Sprint(seqs) != "[1 2 3]" {
				t.Errorf("sequences = %v", seqs)
			}
		})
	}
}

// Ensure concurrent read-modify-write transactions lose no update, and an
// invariant checked by counting a range (at most limit keys) holds under
// concurrency: on etcd, conflicting commits run again. Eight writers on
// one key is far hotter than any key of the store; on a loaded machine an
// update may give up (ErrTooManyConflicts, nothing written), which the
// caller sees, and which must stay rare: the counter then counts the
// updates that said they succeeded, no more and no fewer.
func TestKVConcurrentInvariants(t *testing.T) {
	for _, e := range bothEngines(t) {
		t.Run(e.name, func(t *testing.T) {
			const workers, each, limit = 8, 10, 25
			var ok, gaveUp atomic.Int64
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := range each {
						err := e.update(func(tx kvTx) error {
							b := tx.Bucket([]byte("a"))
							n := 0
							if v := b.Get([]byte("counter")); v != nil {
								fmt.Sscan(string(v), &n)
							}
							if err := b.Put([]byte("counter"), fmt.Append(nil, n+1)); err != nil {
								return err
							}
							// At most limit keys under "slot/": count, then insert.
							bb := tx.Bucket([]byte("b"))
							c, count := bb.Cursor(), 0
							for k, _ := c.Seek([]byte("slot/")); k != nil && string(k) < "slot0"; k, _ = c.Next() {
								count++
							}
							if count < limit {
								return bb.Put(fmt.Appendf(nil, "slot/%d-%d", w, i), []byte("x"))
							}
							return nil
						})
						switch {
						case err == nil:
							ok.Add(1)
						case errors.Is(err, ErrTooManyConflicts):
							gaveUp.Add(1)
						default:
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			if g := gaveUp.Load(); g*10 > workers*each {
				t.Errorf("%d of %d updates gave up after their retries, want under 10%%", g, workers*each)
			}
			_ = e.view(func(tx kvTx) error {
				if got := string(tx.Bucket([]byte("a")).Get([]byte("counter"))); got != fmt.Sprint(ok.Load()) {
					t.Errorf("counter = %s, want %d (the updates that succeeded): an update was lost or doubled", got, ok.Load())
				}
				n := 0
				_ = tx.Bucket([]byte("b")).ForEach(func(k, v []byte) error { n++; return nil })
				if want := min(limit, int(ok.Load())); n != want {
					t.Errorf("slots = %d, want exactly %d", n, want)
				}
				return nil
			})
		})
	}
}

// Ensure the etcd engine refuses, with ErrTxnTooLarge and nothing
// written, a transaction over etcd's 128 operations, rather than letting
// etcd fail it half-understood.
func TestEtcdTxnTooLarge(t *testing.T) {
	e, _ := etcdTestEngine(t)
	err := e.update(func(tx kvTx) error {
		for i := range 129 {
			if err := tx.Bucket([]byte("a")).Put(fmt.Appendf(nil, "k%d", i), []byte("v")); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, ErrTxnTooLarge) {
		t.Fatalf("129 puts = %v, want ErrTxnTooLarge", err)
	}
	_ = e.view(func(tx kvTx) error {
		if k, _ := tx.Bucket([]byte("a")).Cursor().First(); k != nil {
			t.Errorf("a refused transaction wrote %q", k)
		}
		return nil
	})
}

// Ensure the etcd engine's view of a bucket inside a writable transaction
// (a snapshot read in small pages, merged with the transaction's own puts
// and deletes) matches bbolt's, step by step, over random sequences of
// puts, deletes, gets, seeks and walks in both directions.
func TestKVDifferential(t *testing.T) {
	bolt := boltTestEngine(t)
	etcd, eng := etcdTestEngine(t)
	eng.page = 3 // many page boundaries
	rng := rand.New(rand.NewPCG(7, 11))
	for round := range 300 {
		seed := rng.Uint64()
		run := func(e kvEngine) []string {
			r := rand.New(rand.NewPCG(seed, 1))
			var log []string
			mustUpdate(t, e, func(tx kvTx) error {
				log = log[:0] // a re-run starts afresh
				b := tx.Bucket([]byte("a"))
				k := func() []byte { return fmt.Appendf(nil, "k%02d", r.IntN(40)) }
				// Next and Prev only from a position a First, Last or Seek
				// set since the last write (bbolt leaves them undefined
				// after a write, and at either end), as the store uses them.
				c := b.Cursor()
				on := false
				note := func(op string, kk, v []byte) {
					on = kk != nil
					log = append(log, fmt.Sprintf("%s %q %q", op, kk, v))
				}
				for range 30 {
					switch op := r.IntN(8); op {
					case 0, 1:
						kk := k()
						on = false
						log = append(log, fmt.Sprintf("put %s %v", kk, b.Put(kk, fmt.Appendf(nil, "v%d", r.IntN(100)))))
					case 2:
						kk := k()
						on = false
						log = append(log, fmt.Sprintf("del %s %v", kk, b.Delete(kk)))
					case 3:
						kk := k()
						log = append(log, fmt.Sprintf("get %s %q", kk, b.Get(kk)))
					case 4:
						kk, v := c.Seek(k())
						note("seek", kk, v)
					case 5, 6:
						if !on {
							kk, v := c.Seek(k())
							note("seek", kk, v)
						} else if op == 5 {
							kk, v := c.Next()
							note("next", kk, v)
						} else {
							kk, v := c.Prev()
							note("prev", kk, v)
						}
					case 7:
						if r.IntN(2) == 0 {
							kk, v := c.First()
							note("first", kk, v)
						} else {
							kk, v := c.Last()
							note("last", kk, v)
						}
					}
				}
				fwd, back, _ := walk(b, "")
				log = append(log, fmt.Sprint(fwd), fmt.Sprint(back))
				return nil
			})
			return log
		}
		got, want := run(etcd), run(bolt)
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || got[i] != want[i] {
				g, w := "<none>", "<none>"
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				t.Fatalf("round %d step %d: etcd %s, bbolt %s", round, i, g, w)
			}
		}
	}
}
