// Package etcdtest runs real etcd members inside a test process, on
// loopback ports, for the store's etcd engine and the end-to-end tests
// that run on it. It is imported by tests only, so the bot's binary never
// links the etcd server.
package etcdtest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Cluster is a running etcd cluster of one or more members.
type Cluster struct {
	Members []*Member
	tb      testing.TB // nil for the shared cluster
}

// Member is one etcd server of a Cluster.
type Member struct {
	Name      string
	ClientURL string
	PeerURL   string
	dir       string
	cluster   string // the initial-cluster string every member starts with
	etcd      *embed.Etcd
	mu        sync.Mutex
}

// startTimeout bounds how long a cluster may take to elect a leader.
const startTimeout = 30 * time.Second

// Start runs a cluster of n members and stops it when the test ends.
// The members use etcd's integration-test timings (10 ms heartbeat, 100 ms
// election), do not fsync, and keep etcd's default limits (128 operations
// per transaction, 1.5 MiB per request), so the engine meets the same
// limits as in production.
func Start(tb testing.TB, n int) *Cluster {
	tb.Helper()
	c, err := start(n, tb.TempDir)
	if err != nil {
		tb.Fatal(err)
	}
	c.tb = tb
	tb.Cleanup(c.Stop)
	return c
}

var (
	sharedOnce sync.Once
	shared     *Cluster
	sharedErr  error
)

// Shared returns one single-member cluster for the whole test process,
// started on first use and left running until the process exits: for
// packages whose every test opens a store on etcd (each under its own
// prefix), where starting a member per test would cost seconds each.
func Shared() (*Cluster, error) {
	sharedOnce.Do(func() {
		shared, sharedErr = start(1, func() string {
			dir, err := os.MkdirTemp("", "rapport-etcd-")
			if err != nil {
				panic(err)
			}
			return dir
		})
	})
	return shared, sharedErr
}

func start(n int, tempDir func() string) (*Cluster, error) {
	c := &Cluster{}
	var initial []string
	for i := range n {
		cu, err := freeAddr()
		if err != nil {
			return nil, err
		}
		pu, err := freeAddr()
		if err != nil {
			return nil, err
		}
		m := &Member{Name: fmt.Sprintf("m%d", i), ClientURL: "http://" + cu, PeerURL: "http://" + pu, dir: tempDir()}
		c.Members = append(c.Members, m)
		initial = append(initial, m.Name+"="+m.PeerURL)
	}
	for _, m := range c.Members {
		m.cluster = strings.Join(initial, ",")
	}
	errs := make(chan error, n)
	for _, m := range c.Members {
		go func() { errs <- m.start("new") }()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		c.Stop()
		return nil, first
	}
	return c, nil
}

// Endpoints are the client URLs of every member.
func (c *Cluster) Endpoints() []string {
	var out []string
	for _, m := range c.Members {
		out = append(out, m.ClientURL)
	}
	return out
}

// Client returns a client of the whole cluster, closed when the test tb
// ends.
func (c *Cluster) Client(tb testing.TB) *clientv3.Client {
	tb.Helper()
	cli, err := c.NewClient()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cli.Close() })
	return cli
}

// NewClient returns a client of the whole cluster; the caller closes it.
func (c *Cluster) NewClient() (*clientv3.Client, error) {
	return clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
}

// Stop stops every member that runs.
func (c *Cluster) Stop() {
	for _, m := range c.Members {
		m.Stop()
	}
}

// Leader returns the member that is the raft leader now, or nil.
func (c *Cluster) Leader() *Member {
	for _, m := range c.Members {
		m.mu.Lock()
		e := m.etcd
		m.mu.Unlock()
		if e != nil && e.Server.Leader() == e.Server.MemberID() {
			return m
		}
	}
	return nil
}

func (m *Member) start(state string) error {
	cfg := embed.NewConfig()
	cfg.Name = m.Name
	cfg.Dir = m.dir
	// etcd logs its own shutdown as errors; the tests report what matters.
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.TickMs, cfg.ElectionMs = 10, 100
	cfg.UnsafeNoFsync = true
	cu, pu := mustURL(m.ClientURL), mustURL(m.PeerURL)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{pu}, []url.URL{pu}
	cfg.InitialCluster = m.cluster
	cfg.InitialClusterToken = "rapport-test"
	cfg.ClusterState = state
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return fmt.Errorf("etcdtest: start %s: %w", m.Name, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return fmt.Errorf("etcdtest: %s failed: %w", m.Name, err)
	case <-time.After(startTimeout):
		e.Close()
		return fmt.Errorf("etcdtest: %s not ready after %v", m.Name, startTimeout)
	}
	m.mu.Lock()
	m.etcd = e
	m.mu.Unlock()
	return nil
}

// Stop stops the member (its data stays, for Restart).
func (m *Member) Stop() {
	m.mu.Lock()
	e := m.etcd
	m.etcd = nil
	m.mu.Unlock()
	if e != nil {
		e.Close()
	}
}

// Restart starts a stopped member again on its data and ports. It returns
// without waiting for the member to be ready when the cluster has no
// quorum without it (it becomes ready once quorum is back).
func (m *Member) Restart(ctx context.Context) error {
	errs := make(chan error, 1)
	go func() { errs <- m.start("existing") }()
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// freeAddr returns a loopback address with a port free at the time of the
// call (the way Kubernetes' test server picks etcd ports).
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("etcdtest: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func mustURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return *u
}
