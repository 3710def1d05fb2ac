package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/rapport-bot/rapport/store"
)

// storeLocation is where the store lives: RAPPORT_STORE, else the bbolt
// file RAPPORT_DB.
func (c Config) storeLocation() store.Location {
	if c.Store.Engine != "" {
		return c.Store
	}
	return store.Location{Engine: "bolt", Path: c.DB}
}

// etcdOptions are the connection settings for an etcd store: TLS when a
// CA or a client certificate is given, and etcd's user and password.
func (c Config) etcdOptions() (store.EtcdOptions, error) {
	loc := c.storeLocation()
	eo := store.EtcdOptions{Endpoints: loc.Endpoints, Prefix: loc.Prefix}
	if c.EtcdCACert != "" || c.EtcdCert != "" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if c.EtcdCACert != "" {
			pem, err := os.ReadFile(c.EtcdCACert)
			if err != nil {
				return eo, usagef("RAPPORT_ETCD_CACERT (-etcd-cacert): %v", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return eo, usagef("RAPPORT_ETCD_CACERT (-etcd-cacert): %s holds no PEM certificate", c.EtcdCACert)
			}
			tc.RootCAs = pool
		}
		if c.EtcdCert != "" {
			cert, err := tls.LoadX509KeyPair(c.EtcdCert, c.EtcdKey)
			if err != nil {
				return eo, usagef("RAPPORT_ETCD_CERT and RAPPORT_ETCD_KEY: %v", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		eo.TLS = tc
	}
	if c.EtcdUser != "" {
		eo.Username, eo.Password = c.EtcdUser, c.EtcdPassword
		if name, pass, ok := strings.Cut(c.EtcdUser, ":"); ok {
			eo.Username, eo.Password = name, pass
		}
	}
	return eo, nil
}

// openStore opens the configured store: the bbolt file (waiting up to
// lockWait for another process's lock), or the etcd prefix. An etcd that
// does not answer is a configuration error: one line naming
// RAPPORT_STORE, exit code 2.
func openStore(ctx context.Context, cfg Config, lockWait time.Duration) (*store.DB, error) {
	loc := cfg.storeLocation()
	if loc.Engine == "bolt" {
		return store.Open(loc.Path, store.Options{Timeout: lockWait})
	}
	eo, err := cfg.etcdOptions()
	if err != nil {
		return nil, err
	}
	db, err := store.OpenEtcd(ctx, eo, store.Options{})
	if errors.Is(err, store.ErrUnreachable) {
		return nil, usagef("RAPPORT_STORE (-store): %v", err)
	}
	return db, err
}

// runMigrate copies the whole store from one engine to another:
// rapport migrate -from URL -to URL.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var from, to *string
	cfg, rest, err := parseConfig("migrate", storeSettings, args, getenv, stderr, func(fs *flag.FlagSet) {
		from = fs.String("from", "", "the store to copy: bolt:///path/rapport.db or etcd://host:2379/prefix (default: RAPPORT_STORE)")
		to = fs.String("to", "", "the empty store to copy into (required)")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("rapport migrate: unexpected argument %q", rest[0])
	}
	if *to == "" {
		return usagef("rapport migrate: -to is required, as in rapport migrate -from bolt:///data/rapport.db -to etcd://10.0.0.1:2379/rapport")
	}
	src, dst := cfg, cfg
	if *from != "" {
		loc, err := store.ParseLocation(*from)
		if err != nil {
			return usagef("rapport migrate: -from: %v", err)
		}
		src.Store = loc
	}
	dstLoc, err := store.ParseLocation(*to)
	if err != nil {
		return usagef("rapport migrate: -to: %v", err)
	}
	dst.Store = dstLoc
	if src.storeLocation().String() == dstLoc.String() {
		return usagef("rapport migrate: -from and -to are the same store")
	}
	if (cfg.EtcdCert == "") != (cfg.EtcdKey == "") {
		return usagef("RAPPORT_ETCD_CERT (-etcd-cert) and RAPPORT_ETCD_KEY (-etcd-key): set both, or neither")
	}
	// A bbolt source is opened with its lock, which proves that no bot is
	// writing to it while it is copied.
	db, err := openStore(ctx, src, time.Second)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w; stop the bot first: a store is copied while nothing writes to it", err)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	eo, err := dst.etcdOptions()
	if err != nil {
		return err
	}
	start := time.Now()
	counts, err := db.CopyTo(ctx, dstLoc, eo)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %s to %s in %v; Check passed on the copy\n", src.storeLocation(), dstLoc, time.Since(start).Round(time.Millisecond))
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(stdout, "  %-26s %d\n", n, counts[n])
	}
	return nil
}
