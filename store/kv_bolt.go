package store

import bolt "go.etcd.io/bbolt"

// boltTx is a bbolt transaction as a kvTx.
type boltTx struct{ tx *bolt.Tx }

func (t boltTx) Bucket(name []byte) kvBucket {
	b := t.tx.Bucket(name)
	if b == nil {
		return nil // a nil *bolt.Bucket must be a nil interface
	}
	return boltBucket{b}
}

func (t boltTx) Writable() bool { return t.tx.Writable() }

// boltBucket is a bbolt bucket as a kvBucket.
type boltBucket struct{ *bolt.Bucket }

func (b boltBucket) Cursor() kvCursor { return b.Bucket.Cursor() }
