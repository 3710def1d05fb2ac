package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// The etcd engine: the store's transactions on etcd, over a keyspace that
// mirrors the buckets key for key, so byte order and range scans carry
// over from bbolt:
//
//	<prefix>/b/<bucket>/<key>  the records and indexes, values as in bbolt
//	<prefix>/seq/<bucket>      the bucket's sequence, in decimal
//
// A transaction is optimistic. Its first read pins a revision, and every
// read is made at that revision, so it sees one snapshot. Writes are
// buffered, and its own reads see them. Commit is one etcd Txn: If every
// key it read still has the revision it saw (absent keys included), and
// no key appeared in a range it scanned, Then its writes. When another
// process changed what it read, the Txn fails and the whole function runs
// again on a fresh snapshot, so an invariant checked by reading (the daily
// kudos allowance, one round per instant, one claim per event) holds
// across processes as it does in one.

// Errors of the etcd engine.
var (
	// ErrTxnTooLarge is returned when a transaction needs more operations
	// or bytes than etcd accepts in one request (128 and 1.5 MiB by
	// default): the operation must be split into resumable steps.
	ErrTxnTooLarge = errors.New("store: transaction too large for etcd")
	// ErrTooManyConflicts is returned when a transaction lost the race to
	// concurrent writers etcdMaxAttempts times in a row.
	ErrTooManyConflicts = errors.New("store: transaction kept conflicting with concurrent writers")
)

const (
	etcdMaxAttempts = 16                   // a conflicting transaction runs at most this often
	etcdBackoff     = 2 * time.Millisecond // the first retry's longest wait; doubles each time
	etcdPage        = 256                  // keys per range read of a cursor
	etcdMaxTxnOps   = 128                  // etcd's --max-txn-ops default
	etcdMaxRequest  = 1 << 20              // bytes of writes per commit: under etcd's 1.5 MiB request limit, with room for compares
)

// etcdEngine runs transactions against one etcd cluster under a prefix.
type etcdEngine struct {
	cli     *clientv3.Client
	prefix  string          // without a trailing slash
	buckets map[string]bool // the schema's buckets
	timeout time.Duration   // per etcd request
	maxOps  int             // operations per Txn
	page    int             // keys per range read of a cursor

	retries atomic.Int64 // commits that conflicted and ran again

	compactMu   sync.Mutex
	compactMark int64 // the revision the last compactHistory saw

	fence fence // this process's term while it leads (leader.go)
}

func newEtcdEngine(cli *clientv3.Client, prefix string, buckets [][]byte) *etcdEngine {
	e := &etcdEngine{cli: cli, prefix: prefix, buckets: map[string]bool{}, timeout: 10 * time.Second, maxOps: etcdMaxTxnOps, page: etcdPage}
	for _, b := range buckets {
		e.buckets[string(b)] = true
	}
	return e
}

func (e *etcdEngine) bucketPrefix(name []byte) string { return e.prefix + "/b/" + string(name) + "/" }
func (e *etcdEngine) seqKey(name []byte) string       { return e.prefix + "/seq/" + string(name) }

// view runs fn on a read-only snapshot.
func (e *etcdEngine) view(ctx context.Context, fn func(kvTx) error) error {
	tx := e.newTx(ctx, false, nil)
	err := fn(tx)
	if tx.err != nil {
		return tx.err
	}
	return err
}

// update runs fn and commits its writes, running it again on a fresh
// snapshot when a concurrent writer changed what it read. fn must be safe
// to run more than once (it is, like bbolt's Batch functions, when it
// keeps nothing but its writes).
func (e *etcdEngine) update(ctx context.Context, fn func(kvTx) error) error {
	ids := newEtcdIDs()
	for attempt := range etcdMaxAttempts {
		if attempt > 0 {
			// Back off, with jitter, so that writers racing for one hot
			// key (a giver's allowance, a counter) take turns instead
			// of colliding again at once.
			d := time.Duration(rand.Int64N(int64(etcdBackoff) << min(attempt, 6)))
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		tx := e.newTx(ctx, true, ids)
		err := fn(tx)
		switch {
		case errors.Is(tx.err, rpctypes.ErrCompacted):
			e.retries.Add(1) // the snapshot was compacted away: start again
			continue
		case tx.err != nil:
			return tx.err
		case err != nil:
			return err
		}
		ok, err := tx.commit()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if e.fenced(ctx) {
			return ErrNotLeader
		}
		e.retries.Add(1)
	}
	return ErrTooManyConflicts
}

func newEtcdIDs() *etcdIDs {
	return &etcdIDs{taken: map[string][]uint64{}, used: map[string]int{}}
}

// etcdTx is one transaction of the etcd engine.
type etcdTx struct {
	e        *etcdEngine
	ctx      context.Context
	writable bool
	rev      int64 // the snapshot's revision; 0 until the first read
	err      error // the first failed read; the transaction is void

	ids    *etcdIDs             // sequence numbers taken, kept across re-runs
	reads  map[string]int64     // key → ModRevision seen (0: absent)
	cache  map[string][]byte    // key → value read (nil: absent)
	ranges []keyRange           // ranges scanned, for the commit's compares
	writes map[string]etcdWrite // buffered writes, by full key
	order  []string             // keys in the order first written
}

type keyRange struct{ lo, hi string } // [lo, hi)

type etcdWrite struct {
	value []byte
	del   bool
}

func (e *etcdEngine) newTx(ctx context.Context, writable bool, ids *etcdIDs) *etcdTx {
	if ids == nil {
		ids = newEtcdIDs()
	}
	ids.used = map[string]int{} // a run starts again from the first number taken
	return &etcdTx{
		e: e, ctx: ctx, writable: writable, ids: ids,
		reads: map[string]int64{}, cache: map[string][]byte{}, writes: map[string]etcdWrite{},
	}
}

func (t *etcdTx) Writable() bool { return t.writable }

func (t *etcdTx) Bucket(name []byte) kvBucket {
	if !t.e.buckets[string(name)] {
		return nil
	}
	return &etcdBucket{tx: t, name: slices.Clone(name), prefix: t.e.bucketPrefix(name)}
}

// fail records the first read error; reads after it return nothing.
func (t *etcdTx) fail(err error) {
	if t.err == nil {
		t.err = fmt.Errorf("store: etcd: %w", err)
	}
}

// rangeGet reads from etcd at the snapshot's revision, pinning it on the
// first read.
func (t *etcdTx) rangeGet(key string, opts ...clientv3.OpOption) *clientv3.GetResponse {
	if t.err != nil {
		return nil
	}
	if t.rev != 0 {
		opts = append(opts, clientv3.WithRev(t.rev))
	}
	ctx, cancel := context.WithTimeout(t.ctx, t.e.timeout)
	defer cancel()
	resp, err := t.e.cli.Get(ctx, key, opts...)
	if err != nil {
		t.fail(err)
		return nil
	}
	if t.rev == 0 {
		t.rev = resp.Header.Revision
	}
	return resp
}

// get returns the value of a full key as this transaction sees it.
func (t *etcdTx) get(key string) []byte {
	if w, ok := t.writes[key]; ok {
		if w.del {
			return nil
		}
		return w.value
	}
	if v, ok := t.cache[key]; ok {
		return v
	}
	resp := t.rangeGet(key)
	if resp == nil {
		return nil
	}
	var v []byte
	var mod int64
	if len(resp.Kvs) > 0 {
		v, mod = present(resp.Kvs[0].Value), resp.Kvs[0].ModRevision
	}
	t.reads[key], t.cache[key] = mod, v
	return v
}

func (t *etcdTx) put(key string, value []byte) error {
	if !t.writable {
		return errors.New("store: etcd: write in a read-only transaction")
	}
	if _, ok := t.writes[key]; !ok {
		t.order = append(t.order, key)
	}
	t.writes[key] = etcdWrite{value: present(slices.Clone(value))}
	return nil
}

func (t *etcdTx) del(key string) error {
	if !t.writable {
		return errors.New("store: etcd: delete in a read-only transaction")
	}
	if _, ok := t.writes[key]; !ok {
		t.order = append(t.order, key)
	}
	t.writes[key] = etcdWrite{del: true}
	return nil
}

// commit sends the buffered writes guarded by the compares of what was
// read. ok is false when a compare failed: a concurrent writer won.
func (t *etcdTx) commit() (ok bool, err error) {
	if len(t.order) == 0 {
		return true, nil // nothing to write; the reads were one snapshot
	}
	var ops []clientv3.Op
	size := 0
	for _, k := range t.order {
		w := t.writes[k]
		size += len(k) + len(w.value)
		if w.del {
			ops = append(ops, clientv3.OpDelete(k))
		} else {
			ops = append(ops, clientv3.OpPut(k, string(w.value)))
		}
	}
	if len(ops) > t.e.maxOps || size > etcdMaxRequest {
		return false, fmt.Errorf("%w: %d operations, %d bytes", ErrTxnTooLarge, len(ops), size)
	}
	cmps, err := t.compares()
	if err != nil {
		return false, err
	}
	if f, ok := t.e.fenceCompare(); ok {
		cmps = append(cmps, f)
	}
	ctx, cancel := context.WithTimeout(t.ctx, t.e.timeout)
	defer cancel()
	resp, err := t.e.cli.Txn(ctx).If(cmps...).Then(ops...).Commit()
	if err != nil {
		return false, fmt.Errorf("store: etcd: commit: %w", err)
	}
	return resp.Succeeded, nil
}

// compares are the conditions of the commit: each key read still has the
// revision seen, and no key in a scanned range changed after the
// snapshot. A point read inside a scanned range is covered by the range's
// compare for inserts and changes, and keeps its own compare (which also
// sees a delete) while the compares fit etcd's limit.
func (t *etcdTx) compares() ([]clientv3.Cmp, error) {
	var cmps []clientv3.Cmp
	for _, r := range t.ranges {
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(r.lo), "<", t.rev+1).WithRange(r.hi))
	}
	keys := make([]string, 0, len(t.reads))
	for k := range t.reads {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var covered []string
	for _, k := range keys {
		if t.inRange(k) {
			covered = append(covered, k)
			continue
		}
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(k), "=", t.reads[k]))
	}
	for _, k := range covered {
		if len(cmps) >= t.e.maxOps-1 { // one is kept for the leader's fence
			break
		}
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(k), "=", t.reads[k]))
	}
	if len(cmps) > t.e.maxOps-1 {
		return nil, fmt.Errorf("%w: %d keys read", ErrTxnTooLarge, len(cmps))
	}
	return cmps, nil
}

func (t *etcdTx) inRange(k string) bool {
	for _, r := range t.ranges {
		if k >= r.lo && k < r.hi {
			return true
		}
	}
	return false
}

// etcdBucket is a bucket of an etcd transaction.
type etcdBucket struct {
	tx     *etcdTx
	name   []byte
	prefix string
}

func (b *etcdBucket) Get(key []byte) []byte { return b.tx.get(b.prefix + string(key)) }

func (b *etcdBucket) Put(key, value []byte) error {
	if len(key) == 0 {
		return errors.New("store: etcd: empty key")
	}
	return b.tx.put(b.prefix+string(key), value)
}

func (b *etcdBucket) Delete(key []byte) error { return b.tx.del(b.prefix + string(key)) }

func (b *etcdBucket) ForEach(fn func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.tx.err
}

// Sequences. A bucket's sequence is one key, <prefix>/seq/<bucket>, whose
// value is a base and whose etcd version (how often it was written since
// it was created) counts the numbers handed out: the sequence is base +
// version. NextSequence bumps the version with a blind write that keeps
// the value, in a Txn of its own that also reads the new version back, so
// concurrent transactions never conflict over the counter: fifty givers
// at once would otherwise all read and write that one key, and retry
// each other out. A transaction that then fails leaves a gap, as the
// numbers only need to be unique and increasing. The numbers a
// transaction took are kept across its re-runs (etcdIDs), so a retry
// does not take more.

// etcdIDs are the numbers an update call took from each sequence, reused
// in order when the call runs its function again.
type etcdIDs struct {
	taken map[string][]uint64
	used  map[string]int
}

func (b *etcdBucket) Sequence() uint64 {
	resp := b.tx.rangeGet(b.tx.e.seqKey(b.name))
	if resp == nil || len(resp.Kvs) == 0 {
		return 0
	}
	base, err := strconv.ParseUint(string(resp.Kvs[0].Value), 10, 64)
	if err != nil {
		b.tx.fail(fmt.Errorf("sequence of %s: %w", b.name, err))
		return 0
	}
	return base + uint64(resp.Kvs[0].Version)
}

// SetSequence raises the sequence to v (a copy, or an import of records
// that bring their ids); it never lowers it, so a number handed out is
// never handed out again. It takes effect at once, outside the
// transaction: it moves the counter's base, guarded by the counter's
// revision, so a concurrent NextSequence makes it look again.
func (b *etcdBucket) SetSequence(v uint64) error {
	if !b.tx.writable {
		return errors.New("store: etcd: set a sequence in a read-only transaction")
	}
	e, k := b.tx.e, b.tx.e.seqKey(b.name)
	for range etcdMaxAttempts * 10 {
		ctx, cancel := context.WithTimeout(b.tx.ctx, e.timeout)
		resp, err := e.cli.Get(ctx, k)
		if err != nil {
			cancel()
			return fmt.Errorf("store: etcd: sequence of %s: %w", b.name, err)
		}
		var txn clientv3.Txn
		if len(resp.Kvs) == 0 {
			if v == 0 {
				cancel()
				return nil
			}
			txn = e.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(k), "=", 0)).
				Then(clientv3.OpPut(k, strconv.FormatUint(v-1, 10)))
		} else {
			kv := resp.Kvs[0]
			base, err := strconv.ParseUint(string(kv.Value), 10, 64)
			if err != nil {
				cancel()
				return fmt.Errorf("store: etcd: sequence of %s: %w", b.name, err)
			}
			ver := uint64(kv.Version)
			if base+ver >= v {
				cancel()
				return nil // already there
			}
			// The put makes the version ver+1: base' + ver + 1 = v.
			txn = e.cli.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(k), "=", kv.ModRevision)).
				Then(clientv3.OpPut(k, strconv.FormatUint(v-ver-1, 10)))
		}
		tr, err := txn.Commit()
		cancel()
		if err != nil {
			return fmt.Errorf("store: etcd: set the sequence of %s: %w", b.name, err)
		}
		if tr.Succeeded {
			return nil
		}
	}
	return ErrTooManyConflicts
}

func (b *etcdBucket) NextSequence() (uint64, error) {
	if !b.tx.writable {
		return 0, errors.New("store: etcd: next sequence in a read-only transaction")
	}
	ids, name := b.tx.ids, string(b.name)
	if n := ids.used[name]; n < len(ids.taken[name]) {
		ids.used[name] = n + 1
		return ids.taken[name][n], nil
	}
	id, err := b.tx.e.nextID(b.tx.ctx, b.name)
	if err != nil {
		return 0, err
	}
	ids.taken[name] = append(ids.taken[name], id)
	ids.used[name]++
	return id, nil
}

// nextID takes the next number of bucket's sequence, in a Txn of its own.
func (e *etcdEngine) nextID(ctx context.Context, bucket []byte) (uint64, error) {
	k := e.seqKey(bucket)
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	resp, err := e.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(k), ">", 0)).
		Then(clientv3.OpPut(k, "", clientv3.WithIgnoreValue()), clientv3.OpGet(k)).
		Else(clientv3.OpPut(k, "0"), clientv3.OpGet(k)).
		Commit()
	if err != nil {
		return 0, fmt.Errorf("store: etcd: next number of %s: %w", bucket, err)
	}
	kvs := resp.Responses[1].GetResponseRange().Kvs
	if len(kvs) != 1 {
		return 0, fmt.Errorf("store: etcd: next number of %s: the counter vanished", bucket)
	}
	base, err := strconv.ParseUint(string(kvs[0].Value), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("store: etcd: sequence of %s: %w", bucket, err)
	}
	return base + uint64(kvs[0].Version), nil
}

func (b *etcdBucket) Cursor() kvCursor { return &etcdCursor{b: b} }

// etcdCursor walks a bucket as the transaction sees it: the snapshot's
// keys, read a page at a time, merged with the transaction's own writes.
type etcdCursor struct {
	b   *etcdBucket
	cur string // the full key the cursor is on; "" when off either end
	// page is the last page read, sorted, covering every snapshot key in
	// [lo, hi) (asc) or (lo, hi] (desc is stored the same way: lo, hi
	// bound what the page saw).
	page   []kvPair
	lo, hi string
}

type kvPair struct {
	k string
	v []byte
}

func (c *etcdCursor) end() string { return prefixEnd(c.b.prefix) }

func (c *etcdCursor) First() ([]byte, []byte) { return c.seekAsc(c.b.prefix) }

func (c *etcdCursor) Seek(seek []byte) ([]byte, []byte) {
	return c.seekAsc(c.b.prefix + string(seek))
}

func (c *etcdCursor) Next() ([]byte, []byte) {
	if c.cur == "" {
		return nil, nil
	}
	return c.seekAsc(c.cur + "\x00")
}

func (c *etcdCursor) Last() ([]byte, []byte) { return c.seekDesc(c.end()) }

func (c *etcdCursor) Prev() ([]byte, []byte) {
	if c.cur == "" {
		return nil, nil
	}
	return c.seekDesc(c.cur)
}

// seekAsc moves to the first key >= from, as the transaction sees it.
func (c *etcdCursor) seekAsc(from string) ([]byte, []byte) {
	t := c.b.tx
	end := c.end()
	for from < end {
		snap, ok := c.snapshotAsc(from)
		buf, bufOK := t.bufferedAsc(c.b.prefix, from, end)
		if t.err != nil {
			return c.off()
		}
		switch {
		case !ok && !bufOK:
			return c.off()
		case bufOK && (!ok || buf.k <= snap.k):
			return c.on(buf)
		}
		if w, written := t.writes[snap.k]; written {
			if w.del {
				from = snap.k + "\x00" // deleted by this transaction: skip it
				continue
			}
			snap.v = w.value
		}
		return c.on(snap)
	}
	return c.off()
}

// seekDesc moves to the last key < before, as the transaction sees it.
func (c *etcdCursor) seekDesc(before string) ([]byte, []byte) {
	t := c.b.tx
	for before > c.b.prefix {
		snap, ok := c.snapshotDesc(before)
		buf, bufOK := t.bufferedDesc(c.b.prefix, before)
		if t.err != nil {
			return c.off()
		}
		switch {
		case !ok && !bufOK:
			return c.off()
		case bufOK && (!ok || buf.k >= snap.k):
			return c.on(buf)
		}
		if w, written := t.writes[snap.k]; written {
			if w.del {
				before = snap.k
				continue
			}
			snap.v = w.value
		}
		return c.on(snap)
	}
	return c.off()
}

func (c *etcdCursor) on(p kvPair) ([]byte, []byte) {
	c.cur = p.k
	return []byte(p.k[len(c.b.prefix):]), p.v
}

func (c *etcdCursor) off() ([]byte, []byte) {
	c.cur = ""
	return nil, nil
}

// snapshotAsc returns the snapshot's first key >= from in the bucket,
// from the page when it covers from, else from a new page.
func (c *etcdCursor) snapshotAsc(from string) (kvPair, bool) {
	if !(c.page != nil && from >= c.lo && from < c.hi) {
		c.loadAsc(from)
	}
	i := sort.Search(len(c.page), func(i int) bool { return c.page[i].k >= from })
	if i < len(c.page) {
		return c.page[i], true
	}
	if next := c.hi; next < c.end() {
		c.loadAsc(next) // the page ended before the bucket did
		return c.snapshotAsc(next)
	}
	return kvPair{}, false
}

// snapshotDesc returns the snapshot's last key < before in the bucket.
func (c *etcdCursor) snapshotDesc(before string) (kvPair, bool) {
	if !(c.page != nil && before > c.lo && before <= c.hi) {
		c.loadDesc(before)
	}
	i := sort.Search(len(c.page), func(i int) bool { return c.page[i].k >= before })
	if i > 0 {
		return c.page[i-1], true
	}
	if below := c.lo; below > c.b.prefix {
		c.loadDesc(below) // the page began after the bucket did
		return c.snapshotDesc(below)
	}
	return kvPair{}, false
}

// loadAsc reads a page of the snapshot's keys from from upwards, and
// records the range it covered for the commit's compares.
func (c *etcdCursor) loadAsc(from string) {
	t := c.b.tx
	end := c.end()
	resp := t.rangeGet(from, clientv3.WithRange(end), clientv3.WithLimit(int64(t.e.page)),
		clientv3.WithSort(clientv3.SortByKey, clientv3.SortAscend))
	c.page, c.lo, c.hi = nil, from, end
	if resp == nil {
		return
	}
	for _, kv := range resp.Kvs {
		c.page = append(c.page, kvPair{k: string(kv.Key), v: present(kv.Value)})
		t.noteScanned(string(kv.Key), kv.ModRevision)
	}
	if resp.More && len(c.page) > 0 {
		c.hi = c.page[len(c.page)-1].k + "\x00"
	}
	t.ranges = append(t.ranges, keyRange{lo: c.lo, hi: c.hi})
}

// loadDesc reads a page of the snapshot's keys below before, downwards.
func (c *etcdCursor) loadDesc(before string) {
	t := c.b.tx
	resp := t.rangeGet(c.b.prefix, clientv3.WithRange(before), clientv3.WithLimit(int64(t.e.page)),
		clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend))
	c.page, c.lo, c.hi = nil, c.b.prefix, before
	if resp == nil {
		return
	}
	for _, kv := range resp.Kvs {
		c.page = append(c.page, kvPair{k: string(kv.Key), v: present(kv.Value)})
		t.noteScanned(string(kv.Key), kv.ModRevision)
	}
	slices.Reverse(c.page)
	if resp.More && len(c.page) > 0 {
		c.lo = c.page[0].k
	}
	t.ranges = append(t.ranges, keyRange{lo: c.lo, hi: c.hi})
}

// noteScanned remembers a key a scan returned, so that the commit can
// check it was not deleted meanwhile (a range compare sees only inserts
// and changes).
func (t *etcdTx) noteScanned(k string, mod int64) {
	if _, ok := t.reads[k]; !ok && t.writable {
		t.reads[k] = mod
	}
}

// bufferedAsc returns the transaction's first written (not deleted) key
// in [from, end).
func (t *etcdTx) bufferedAsc(prefix, from, end string) (kvPair, bool) {
	var best kvPair
	found := false
	for k, w := range t.writes {
		if w.del || k < from || k >= end || !strings.HasPrefix(k, prefix) {
			continue
		}
		if !found || k < best.k {
			best, found = kvPair{k: k, v: w.value}, true
		}
	}
	return best, found
}

// bufferedDesc returns the transaction's last written (not deleted) key in
// [prefix, before).
func (t *etcdTx) bufferedDesc(prefix, before string) (kvPair, bool) {
	var best kvPair
	found := false
	for k, w := range t.writes {
		if w.del || k >= before || !strings.HasPrefix(k, prefix) {
			continue
		}
		if !found || k > best.k {
			best, found = kvPair{k: k, v: w.value}, true
		}
	}
	return best, found
}

// prefixEnd is the first key after every key with prefix.
func prefixEnd(prefix string) string {
	end := []byte(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return string(end[:i+1])
		}
	}
	return "\x00" // every byte 0xff: etcd's "to the end"
}

// snapshot writes etcd's snapshot of the member it reaches to w: the whole
// keyspace (this prefix and any other), in etcd's own format, which
// "etcdutl snapshot restore" turns back into a data directory.
func (e *etcdEngine) snapshot(ctx context.Context, w io.Writer) (int64, error) {
	rc, err := e.cli.Snapshot(ctx)
	if err != nil {
		return 0, fmt.Errorf("etcd snapshot: %w", err)
	}
	defer rc.Close()
	n, err := io.Copy(w, rc)
	if err != nil {
		return n, fmt.Errorf("etcd snapshot: %w", err)
	}
	return n, nil
}

// compactHistory compacts etcd's history up to the revision the previous
// call saw, and remembers the current one for the next call.
func (e *etcdEngine) compactHistory(ctx context.Context) error {
	e.compactMu.Lock()
	defer e.compactMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	resp, err := e.cli.Get(ctx, e.seqKey(bucketMeta), clientv3.WithCountOnly())
	if err != nil {
		return fmt.Errorf("etcd revision: %w", err)
	}
	if mark := e.compactMark; mark > 0 {
		if _, err := e.cli.Compact(ctx, mark); err != nil && !errors.Is(err, rpctypes.ErrCompacted) {
			return fmt.Errorf("etcd compact to %d: %w", mark, err)
		}
	}
	e.compactMark = resp.Header.Revision
	return nil
}

// present is a value that exists: never nil, even when empty (indexes
// store empty values), as bbolt returns it, because callers tell "absent"
// by nil.
func present(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}

// errChunkConflict is a step of updateInSteps that lost to a concurrent
// writer: the pass runs again on a fresh snapshot.
var errChunkConflict = errors.New("store: etcd: a step conflicted")

// updateInSteps runs an operation that may need more writes than one etcd
// transaction takes (forget-me, prunes, closing a round, import) as a
// series of transactions. fn must be idempotent: run again on what an
// earlier run left, it does no harm. fn runs on a snapshot and its writes
// are committed in steps that each fit etcd's limits, a step only if the
// keys it writes are still as fn read them; when one is not, fn runs
// again on a fresh snapshot (the steps already in are harmless to
// repeat). committed, if set, is called once all the writes went in. A
// crash between steps leaves a state that running the operation again
// finishes.
func (e *etcdEngine) updateInSteps(ctx context.Context, fn func(kvTx) error, committed func()) error {
	for range etcdMaxAttempts {
		tx := e.newTx(ctx, true, nil)
		err := fn(tx)
		switch {
		case errors.Is(tx.err, rpctypes.ErrCompacted):
			continue
		case tx.err != nil:
			return tx.err
		case err != nil:
			return err
		}
		if len(tx.order) == 0 {
			return nil
		}
		err = tx.commitInSteps()
		if errors.Is(err, errChunkConflict) {
			if e.fenced(ctx) {
				return ErrNotLeader
			}
			e.retries.Add(1)
			continue
		}
		if err != nil {
			return err
		}
		if committed != nil {
			committed()
		}
		return nil
	}
	return ErrTooManyConflicts
}

// commitInSteps commits the buffered writes, in order, in Txns of at most
// maxOps operations and etcdMaxRequest bytes, each guarded by the
// revisions its own keys were read at.
func (t *etcdTx) commitInSteps() error {
	for start := 0; start < len(t.order); {
		var ops []clientv3.Op
		var cmps []clientv3.Cmp
		size := 0
		end := start
		for ; end < len(t.order) && len(ops) < t.e.maxOps; end++ {
			k := t.order[end]
			w := t.writes[k]
			if len(ops) > 0 && size+len(k)+len(w.value) > etcdMaxRequest {
				break
			}
			size += len(k) + len(w.value)
			if w.del {
				ops = append(ops, clientv3.OpDelete(k))
			} else {
				ops = append(ops, clientv3.OpPut(k, string(w.value)))
			}
			if mod, read := t.reads[k]; read {
				cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(k), "=", mod))
			}
		}
		if f, ok := t.e.fenceCompare(); ok {
			cmps = append(cmps, f)
		}
		ctx, cancel := context.WithTimeout(t.ctx, t.e.timeout)
		resp, err := t.e.cli.Txn(ctx).If(cmps...).Then(ops...).Commit()
		cancel()
		if err != nil {
			return fmt.Errorf("store: etcd: commit a step: %w", err)
		}
		if !resp.Succeeded {
			return errChunkConflict
		}
		start = end
	}
	return nil
}
