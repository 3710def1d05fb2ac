package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/etcdtest"
)

func etcdURL(c *etcdtest.Cluster, prefix string) string {
	var hosts []string
	for _, ep := range c.Endpoints() {
		hosts = append(hosts, strings.TrimPrefix(ep, "http://"))
	}
	return "etcd://" + strings.Join(hosts, ",") + prefix
}

// Ensure rapport migrate copies a bbolt store into etcd and back, printing
// the counts per bucket, refuses a target that is not empty, and that the
// export of the copy is the export of the original.
func TestMigrateCommand(t *testing.T) {
	env := goodEnv(t)
	db, err := store.Open(env["RAPPORT_DB"], store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 120 {
		if _, err := db.AddKudos(store.Kudos{Giver: "UALICE", Receivers: []string{"UBOB"}, Text: "for the review", At: time.Date(2026, 12, 1, 9, i%60, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	c := etcdtest.Start(t, 1)
	target := etcdURL(c, "/rapport")

	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"migrate", "-to", target}, getenvFrom(env), nil, &stdout, &stderr); err != nil {
		t.Fatalf("migrate to etcd: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Check passed") || !strings.Contains(stdout.String(), "kudos                      120") {
		t.Errorf("migrate printed %q, want the check and 120 kudos", stdout.String())
	}
	stdout.Reset()
	if code := exitCode(run(t.Context(), []string{"migrate", "-to", target}, getenvFrom(env), nil, &stdout, &stderr), &stderr); code == 0 {
		t.Error("a second migrate into the same prefix succeeded")
	}

	export := func(storeURL string) string {
		e := goodEnv(t)
		e["RAPPORT_DB"] = env["RAPPORT_DB"]
		if storeURL != "" {
			e["RAPPORT_STORE"] = storeURL
		}
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{"export"}, getenvFrom(e), nil, &out, &errOut); err != nil {
			t.Fatalf("export %s: %v\n%s", storeURL, err, errOut.String())
		}
		// The export's own time stamp differs run to run.
		return out.String()[strings.Index(out.String(), "\"kudos\""):]
	}
	if export("") != export(target) {
		t.Error("the export from etcd differs from the bbolt one")
	}
}

// Ensure /readyz fails and /metrics shows the alarm when etcd raises
// NOSPACE (it then takes no writes), and that the store's size is
// exported.
func TestStoreReadyAndMetricsOnEtcd(t *testing.T) {
	c := etcdtest.Start(t, 1)
	cli := c.Client(t)
	ctx := t.Context()
	db, err := store.OpenEtcdClient(ctx, cli, "/rapport", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ok, why := storeReady(ctx, db); !ok {
		t.Fatalf("storeReady on a healthy cluster = false, %q", why)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(storeCollector{db})
	if n, err := testutil.GatherAndCount(reg, "rapport_store_size_bytes"); err != nil || n != 1 {
		t.Errorf("rapport_store_size_bytes: %d series, %v", n, err)
	}

	st, err := cli.Status(ctx, cli.Endpoints()[0])
	if err != nil {
		t.Fatal(err)
	}
	_, err = pb.NewMaintenanceClient(cli.ActiveConnection()).Alarm(ctx, &pb.AlarmRequest{
		Action: pb.AlarmRequest_ACTIVATE, MemberID: st.Header.MemberId, Alarm: pb.AlarmType_NOSPACE,
	})
	if err != nil {
		t.Fatal(err)
	}
	ok, why := storeReady(ctx, db)
	if ok || !strings.Contains(why, "NOSPACE") {
		t.Errorf("storeReady with NOSPACE = %v, %q; want not ready, naming NOSPACE", ok, why)
	}
	want := `
# HELP rapport_store_alarm 1 for each alarm the etcd cluster raised (NOSPACE: it takes no writes).
# TYPE rapport_store_alarm gauge
rapport_store_alarm{alarm="NOSPACE"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "rapport_store_alarm"); err != nil {
		t.Error(err)
	}
}
