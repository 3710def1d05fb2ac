package store

// The storage engine under the store: a transaction over named buckets of
// sorted byte keys, which is what bbolt offers and what the etcd engine
// (kv_etcd.go) offers over a keyspace that mirrors the buckets key for
// key. The store's methods, Check, export and import are written once
// against these interfaces.

// kvTx is one transaction. A read-only transaction sees one consistent
// snapshot; a writable one commits all its writes or none.
type kvTx interface {
	// Bucket returns the bucket called name, or nil if the schema has no
	// such bucket.
	Bucket(name []byte) kvBucket
	Writable() bool
}

// kvBucket is a bucket of a transaction: keys in byte order. Values
// returned are valid until the transaction ends and must not be modified.
type kvBucket interface {
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
	Cursor() kvCursor
	ForEach(fn func(k, v []byte) error) error
	// NextSequence returns the bucket's next sequence number (1, 2, …);
	// Sequence the last one handed out; SetSequence sets it.
	NextSequence() (uint64, error)
	Sequence() uint64
	SetSequence(v uint64) error
}

// kvCursor moves over a bucket's keys in byte order. A nil key means the
// cursor moved past either end.
type kvCursor interface {
	First() (k, v []byte)
	Last() (k, v []byte)
	Next() (k, v []byte)
	Prev() (k, v []byte)
	Seek(seek []byte) (k, v []byte)
}
