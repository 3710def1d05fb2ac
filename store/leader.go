package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// Leadership. Several processes may share a store on etcd; exactly one of
// them, the leader, runs the schedule and delivers the outbox. Campaign
// elects it with etcd's election recipe, on a session whose lease expires
// ttl after the process stops renewing it (dead, paused or cut off).
//
// A lease alone does not make the leader alone: a leader paused past its
// lease wakes up believing it still leads. So a leader's term fences its
// writes: while this process leads, every transaction it commits also
// requires that the leader key still has the creation revision it had
// when the term began (its epoch). A deposed leader's writes then fail
// with ErrNotLeader, whatever it believes. The outbox claims also carry
// the epoch they were made in (see ClaimOutgoing).

// ErrNotLeader is returned by a write of a process whose term as leader
// ended (another process leads now): nothing was written.
var ErrNotLeader = errors.New("store: this process is no longer the leader")

// ErrNotReplicated is returned by Campaign on a store that only one
// process can open (bbolt): that process is always the leader.
var ErrNotReplicated = errors.New("store: only an etcd store elects a leader")

// fence is the term that guards this process's writes while it leads.
type fence struct {
	mu    sync.RWMutex
	key   string // the leader key of the term; "" when not leading
	epoch int64  // its creation revision
}

func (f *fence) get() (string, int64) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.key, f.epoch
}

func (f *fence) set(key string, epoch int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.key, f.epoch = key, epoch
}

// Term is one process's term as leader.
type Term struct {
	db       *DB
	session  *concurrency.Session
	election *concurrency.Election
	key      string // the leader key, as elected (Resign clears the election's)
	epoch    int64  // its creation revision
	lost     chan struct{}
	once     sync.Once
}

// Epoch identifies the term: the leader key's creation revision, larger
// for every later term.
func (t *Term) Epoch() int64 { return t.epoch }

// Lost is closed when the term ended: the session's lease expired or the
// process lost etcd, or Resign was called.
func (t *Term) Lost() <-chan struct{} { return t.lost }

// Resign ends the term at once, so that another process takes over within
// milliseconds (a shutdown), and lifts the fence.
func (t *Term) Resign(ctx context.Context) error {
	err := t.election.Resign(ctx)
	t.end()
	if cerr := t.session.Close(); err == nil && cerr != nil && !errors.Is(cerr, context.Canceled) {
		err = cerr
	}
	return err
}

func (t *Term) end() {
	t.once.Do(func() {
		t.db.etcd.fence.set("", 0)
		close(t.lost)
	})
}

// Campaign waits until this process is elected leader among those sharing
// the store, and returns its term; ctx ends the wait. id names the process
// in the election (its host name, say). The term ends when the session
// expires: ttl after the process last renewed it.
func (db *DB) Campaign(ctx context.Context, id string, ttl time.Duration) (*Term, error) {
	if db.etcd == nil {
		return nil, ErrNotReplicated
	}
	e := db.etcd
	secs := max(int(ttl.Round(time.Second)/time.Second), 1)
	session, err := concurrency.NewSession(e.cli, concurrency.WithTTL(secs), concurrency.WithContext(context.WithoutCancel(ctx)))
	if err != nil {
		return nil, fmt.Errorf("store: campaign: session: %w", err)
	}
	election := concurrency.NewElection(session, e.prefix+"/leader")
	if err := election.Campaign(ctx, id); err != nil {
		_ = session.Close()
		return nil, fmt.Errorf("store: campaign: %w", err)
	}
	t := &Term{db: db, session: session, election: election, key: election.Key(), epoch: election.Rev(), lost: make(chan struct{})}
	e.fence.set(t.key, t.epoch)
	go func() {
		// The term ends with the session (lease expired, or lost) or
		// when another process is seen leading.
		obs := election.Observe(context.WithoutCancel(ctx))
		for {
			select {
			case <-session.Done():
				t.end()
				return
			case <-t.lost:
				return
			case resp, ok := <-obs:
				if !ok {
					continue
				}
				if len(resp.Kvs) > 0 && string(resp.Kvs[0].Key) != t.key {
					t.end()
					return
				}
			}
		}
	}()
	return t, nil
}

// Leading reports the epoch of this process's term, 0 when it does not
// lead (always 0 on bbolt).
func (db *DB) Leading() int64 {
	if db.etcd == nil {
		return 0
	}
	_, epoch := db.etcd.fence.get()
	return epoch
}

// fenceCompare is the condition a leading process adds to every commit.
func (e *etcdEngine) fenceCompare() (clientv3.Cmp, bool) {
	key, epoch := e.fence.get()
	if key == "" {
		return clientv3.Cmp{}, false
	}
	return clientv3.Compare(clientv3.CreateRevision(key), "=", epoch), true
}

// fenced reports whether a failed commit failed because the term ended:
// the leader key is gone or belongs to a later term.
func (e *etcdEngine) fenced(ctx context.Context) bool {
	key, epoch := e.fence.get()
	if key == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	resp, err := e.cli.Get(ctx, key)
	if err != nil {
		return false
	}
	return len(resp.Kvs) == 0 || resp.Kvs[0].CreateRevision != epoch
}

// WatchOutbox signals (without blocking; signals coalesce) whenever an
// item is queued or deferred by any process sharing the store, so that
// the leader delivers a DM queued on another process at once. On bbolt,
// where one process is the only writer, it returns nil: a nil channel
// never signals. It ends with ctx.
func (db *DB) WatchOutbox(ctx context.Context) <-chan struct{} {
	if db.etcd == nil {
		return nil
	}
	out := make(chan struct{}, 1)
	wch := db.etcd.cli.Watch(clientv3.WithRequireLeader(ctx), db.etcd.bucketPrefix(bucketOutboxByDue), clientv3.WithPrefix(), clientv3.WithFilterDelete())
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case resp, ok := <-wch:
				if !ok {
					// Compacted away or cut off: start watching again; the
					// loop's idle timer covers the gap.
					if ctx.Err() != nil {
						return
					}
					time.Sleep(time.Second)
					wch = db.etcd.cli.Watch(clientv3.WithRequireLeader(ctx), db.etcd.bucketPrefix(bucketOutboxByDue), clientv3.WithPrefix(), clientv3.WithFilterDelete())
					continue
				}
				if resp.Err() != nil && !resp.Canceled {
					continue
				}
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out
}

// TxnRetries is how many of this process's etcd commits ran again because
// a concurrent writer changed what they read (0 on bbolt).
func (db *DB) TxnRetries() int64 {
	if db.etcd == nil {
		return 0
	}
	return db.etcd.retries.Load()
}
