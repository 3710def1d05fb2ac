package store

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// EtcdOptions say how to reach the etcd cluster a store lives in.
type EtcdOptions struct {
	Endpoints []string // host:port of each member
	Prefix    string   // the store's key prefix, such as "/rapport"
	// TLS, when set, is used to reach the members (client certificates
	// and the CA that signed the members' certificates).
	TLS *tls.Config
	// Username and Password, when Username is set, authenticate with
	// etcd's own users and roles.
	Username, Password string
	// DialTimeout bounds the first connection; default 5 s.
	DialTimeout time.Duration
}

// ErrUnreachable is wrapped by OpenEtcd's error when no member answered.
var ErrUnreachable = errors.New("etcd cannot be reached")

// OpenEtcd opens the store kept in etcd under eo.Prefix. An empty prefix
// is initialised at the current schema version; a prefix written by an
// older or newer schema is refused, as is an etcd that does not answer
// within the dial timeout (wrapping ErrUnreachable).
func OpenEtcd(ctx context.Context, eo EtcdOptions, opts Options) (*DB, error) {
	if eo.DialTimeout <= 0 {
		eo.DialTimeout = 5 * time.Second
	}
	cli, err := newEtcdClient(eo)
	if err != nil {
		return nil, err
	}
	db, err := openEtcdClient(ctx, cli, eo.Prefix, opts, eo.DialTimeout)
	if err != nil {
		_ = cli.Close()
		return nil, err
	}
	db.closeClient = cli.Close
	return db, nil
}

// newEtcdClient connects to the cluster eo names.
func newEtcdClient(eo EtcdOptions) (*clientv3.Client, error) {
	if eo.DialTimeout <= 0 {
		eo.DialTimeout = 5 * time.Second
	}
	cfg := clientv3.Config{
		Endpoints:   slices.Clone(eo.Endpoints),
		DialTimeout: eo.DialTimeout,
		TLS:         eo.TLS,
		Username:    eo.Username,
		Password:    eo.Password,
		Logger:      nopZap(),
	}
	if eo.TLS != nil {
		for i, ep := range cfg.Endpoints {
			cfg.Endpoints[i] = "https://" + ep
		}
	}
	cli, err := clientv3.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open etcd %v: %w: %w", eo.Endpoints, ErrUnreachable, err)
	}
	return cli, nil
}

// OpenEtcdClient is OpenEtcd on a client the caller keeps (and closes):
// for tests that open many stores on one cluster.
func OpenEtcdClient(ctx context.Context, cli *clientv3.Client, prefix string, opts Options) (*DB, error) {
	return openEtcdClient(ctx, cli, prefix, opts, 5*time.Second)
}

func openEtcdClient(ctx context.Context, cli *clientv3.Client, prefix string, opts Options, wait time.Duration) (*DB, error) {
	where := fmt.Sprintf("etcd %v%s", cli.Endpoints(), prefix)
	if prefix == "" || prefix == "/" || prefix[0] != '/' || prefix[len(prefix)-1] == '/' {
		return nil, fmt.Errorf("store: open %s: prefix %q: want /name, without a trailing slash", where, prefix)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	e := newEtcdEngine(cli, prefix, allBuckets)
	db := &DB{etcd: e, path: "etcd://" + joinEndpoints(cli.Endpoints()) + prefix, now: now}
	// Reach the cluster once, with a deadline, so that a wrong address is
	// one clear line at start rather than a hang at the first command.
	cctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if _, err := cli.Get(cctx, prefix+"/", clientv3.WithPrefix(), clientv3.WithCountOnly()); err != nil {
		return nil, fmt.Errorf("store: open %s: %w: %w", where, ErrUnreachable, err)
	}
	err := e.update(ctx, func(tx kvTx) error {
		meta := tx.Bucket(bucketMeta)
		v := meta.Get(keySchemaVersion)
		if v == nil {
			if k, _ := firstKeyUnder(tx); k != "" {
				return fmt.Errorf("%w: keys under the prefix (%s) but no schema version: written by another program, or a migration that did not finish", ErrNotDatabase, k)
			}
			return meta.Put(keySchemaVersion, be64(schemaVersion()))
		}
		if len(v) != 8 {
			return fmt.Errorf("%w: meta/schema_version is %x, want 8 bytes", ErrNotDatabase, v)
		}
		switch version := binary.BigEndian.Uint64(v); {
		case version > schemaVersion():
			return fmt.Errorf("%w: the store has v%d, this binary knows up to v%d (upgrade rapport)", ErrSchemaTooNew, version, schemaVersion())
		case version < schemaVersion():
			return fmt.Errorf("the store has schema v%d and this binary needs v%d: migrate it from a bbolt copy (rapport migrate)", version, schemaVersion())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", where, err)
	}
	if err := db.resumeForgets(); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", where, err)
	}
	return db, nil
}

// firstKeyUnder returns the first key of any bucket, "" if all are empty.
func firstKeyUnder(tx kvTx) (string, error) {
	for _, name := range allBuckets {
		if k, _ := tx.Bucket(name).Cursor().First(); k != nil {
			return string(name) + "/" + string(k), nil
		}
	}
	return "", nil
}

func joinEndpoints(eps []string) string {
	out := ""
	for i, ep := range eps {
		if i > 0 {
			out += ","
		}
		out += trimScheme(ep)
	}
	return out
}

func trimScheme(ep string) string {
	for _, s := range []string{"http://", "https://"} {
		if len(ep) > len(s) && ep[:len(s)] == s {
			return ep[len(s):]
		}
	}
	return ep
}

func nopZap() *zap.Logger { return zap.NewNop() }
