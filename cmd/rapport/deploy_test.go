package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/etcdtest"
	"github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"
)

// The deployment examples under docs/etcd are checked here, so that they
// keep naming settings that exist, values Rapport accepts, and the
// replicas, probes and budgets the README's "High availability" section
// describes.

var (
	composeFile = filepath.Join(repoRoot, "docs", "etcd", "docker-compose.yml")
	kubeFile    = filepath.Join(repoRoot, "docs", "etcd", "kubernetes.yml")
)

// maxReplicas is the most replicas the examples may run: each opens a
// Socket Mode connection, Slack allows an app ten, and a rolling update or
// a restart briefly holds one more.
const maxReplicas = 5

// readYAML decodes every document of a YAML file.
func readYAML(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// dig walks nested maps and lists by key or index; nil when absent.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// secretStandIns are valid values for the settings the examples take from
// the environment or a Secret, so the rest can be checked as `rapport run`
// checks it.
var secretStandIns = map[string]string{
	"SLACK_BOT_TOKEN":    "xoxb-1111-2222-abcdef",
	"SLACK_APP_TOKEN":    "xapp-1-A111-2222-abcdef",
	"RAPPORT_HTTP_TOKEN": "a-long-enough-ops-token",
}

// deployConfig checks env as `rapport run` would: every name a setting of
// it, every value accepted, the settings consistent.
func deployConfig(t *testing.T, where string, env map[string]string) Config {
	t.Helper()
	for name := range env {
		if !slices.ContainsFunc(allSettings(), func(s setting) bool { return s.env == name }) {
			t.Errorf("%s sets %s, which is no setting of rapport run", where, name)
		}
	}
	cfg, _, err := parseConfig("run", allSettings(), nil, getenvFrom(env), io.Discard, nil)
	if err == nil {
		err = cfg.validate()
	}
	if err != nil {
		t.Fatalf("%s: rapport run would refuse its settings: %v", where, err)
	}
	return cfg
}

// composeVar is a compose interpolation that passes a variable through from
// the host: ${NAME}, ${NAME:?message}, ${NAME:-default}.
var composeVar = regexp.MustCompile(`^\$\{([A-Z_]+)(?:[:?-][^}]*)?\}$`)

// Ensure the compose example runs three Rapport replicas, all alike and
// all on the three etcd members it starts, with settings rapport run
// accepts and time to stop cleanly.
func TestComposeRunsReplicasOnEtcd(t *testing.T) {
	docs := readYAML(t, composeFile)
	if len(docs) != 1 {
		t.Fatalf("%s: %d documents, want 1", composeFile, len(docs))
	}
	services, _ := docs[0]["services"].(map[string]any)
	var members []string
	envs := map[string]map[string]string{}
	for name, svc := range services {
		env, _ := dig(svc, "environment").(map[string]any)
		if _, ok := env["ETCD_NAME"]; ok {
			for _, u := range strings.Split(env["ETCD_ADVERTISE_CLIENT_URLS"].(string), ",") {
				members = append(members, strings.TrimPrefix(u, "http://"))
			}
			continue
		}
		if !strings.HasPrefix(name, "rapport") {
			t.Errorf("service %s is neither an etcd member nor a Rapport replica", name)
			continue
		}
		strs := map[string]string{}
		for k, v := range env {
			s := strings.TrimSpace(toString(v))
			if m := composeVar.FindStringSubmatch(s); m != nil {
				if m[1] != k {
					t.Errorf("service %s: %s takes the host's %s; pass each variable under its own name", name, k, m[1])
				}
				stand, ok := secretStandIns[k]
				if !ok {
					t.Errorf("service %s: %s comes from the host, but only secrets should", name, k)
				}
				s = stand
			}
			strs[k] = s
		}
		envs[name] = strs
		if g, ok := dig(svc, "stop_grace_period").(string); !ok {
			t.Errorf("service %s has no stop_grace_period: compose's default of 10s is its choice, not ours", name)
		} else if d, err := time.ParseDuration(g); err != nil || d <= stopBound {
			t.Errorf("service %s: stop_grace_period %q, want more than the %v a stop takes", name, g, stopBound)
		}
	}
	slices.Sort(members)
	if len(members) != 3 {
		t.Errorf("etcd members %v, want 3", members)
	}
	replicas := slices.Sorted(func(yield func(string) bool) {
		for n := range envs {
			if !yield(n) {
				return
			}
		}
	})
	if want := []string{"rapport1", "rapport2", "rapport3"}; !slices.Equal(replicas, want) {
		t.Errorf("Rapport services %v, want %v", replicas, want)
	}
	for _, name := range replicas {
		if !reflect.DeepEqual(envs[name], envs[replicas[0]]) {
			t.Errorf("service %s's environment %v differs from %s's %v: replicas must be alike", name, envs[name], replicas[0], envs[replicas[0]])
		}
		cfg := deployConfig(t, "compose service "+name, envs[name])
		loc := cfg.storeLocation()
		if got := slices.Sorted(slices.Values(loc.Endpoints)); loc.Engine != "etcd" || !slices.Equal(got, members) {
			t.Errorf("service %s: RAPPORT_STORE is %s, want etcd:// on every member %v", name, loc, members)
		}
	}
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// Ensure the Kubernetes example runs three replicas spread over nodes, with
// its tokens from a Secret, settings rapport run accepts, probes on paths
// the ops listener serves at the port it listens on, time to stop cleanly,
// and a disruption budget that keeps two running.
func TestKubernetesDeployment(t *testing.T) {
	docs := readYAML(t, kubeFile)
	byKind := map[string]map[string]any{}
	for _, d := range docs {
		kind, _ := d["kind"].(string)
		if byKind[kind] != nil {
			t.Errorf("%s: two documents of kind %s", kubeFile, kind)
		}
		byKind[kind] = d
	}
	dep, pdb := byKind["Deployment"], byKind["PodDisruptionBudget"]
	if dep == nil || pdb == nil {
		t.Fatalf("%s: want a Deployment and a PodDisruptionBudget, have %v", kubeFile, slices.Collect(func(yield func(string) bool) {
			for k := range byKind {
				if !yield(k) {
					return
				}
			}
		}))
	}
	replicas, _ := dig(dep, "spec", "replicas").(int)
	if replicas != 3 || replicas > maxReplicas {
		t.Errorf("replicas = %d, want 3", replicas)
	}
	selector, _ := dig(dep, "spec", "selector", "matchLabels").(map[string]any)
	labels, _ := dig(dep, "spec", "template", "metadata", "labels").(map[string]any)
	if len(selector) == 0 || !subset(selector, labels) {
		t.Errorf("the Deployment's selector %v does not select its pods %v", selector, labels)
	}
	if surge, _ := dig(dep, "spec", "strategy", "rollingUpdate", "maxSurge").(int); replicas+surge > maxReplicas {
		t.Errorf("%d replicas and a surge of %d open more than %d Socket Mode connections", replicas, surge, maxReplicas)
	}
	pod := dig(dep, "spec", "template", "spec")
	if g, _ := dig(pod, "terminationGracePeriodSeconds").(int); time.Duration(g)*time.Second <= stopBound {
		t.Errorf("terminationGracePeriodSeconds = %d, want more than the %v a stop takes", g, stopBound)
	}
	spread := false
	for _, c := range asList(dig(pod, "topologySpreadConstraints")) {
		sel, _ := dig(c, "labelSelector", "matchLabels").(map[string]any)
		if dig(c, "topologyKey") == "kubernetes.io/hostname" && len(sel) > 0 && subset(sel, labels) {
			spread = true
		}
	}
	if !spread {
		t.Error("the pods are not spread over nodes: want a topologySpreadConstraint on kubernetes.io/hostname selecting them")
	}

	containers := asList(dig(pod, "containers"))
	if len(containers) != 1 {
		t.Fatalf("%d containers, want 1", len(containers))
	}
	c := containers[0]
	env := map[string]string{}
	for _, e := range asList(dig(c, "env")) {
		name, _ := dig(e, "name").(string)
		if ref := dig(e, "valueFrom", "secretKeyRef", "key"); ref != nil {
			stand, ok := secretStandIns[name]
			if !ok {
				t.Errorf("%s comes from a Secret, but it is no secret", name)
			}
			env[name] = stand
			continue
		}
		if _, secret := secretStandIns[name]; secret {
			t.Errorf("%s is written in the manifest: take it from a Secret", name)
		}
		env[name] = toString(dig(e, "value"))
	}
	cfg := deployConfig(t, "the Kubernetes Deployment", env)
	if loc := cfg.storeLocation(); loc.Engine != "etcd" || len(loc.Endpoints) < 3 {
		t.Errorf("RAPPORT_STORE is %s, want etcd:// on three members", loc)
	}
	host, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil || loopback(cfg.HTTPAddr) {
		t.Fatalf("RAPPORT_HTTP_ADDR = %q: the kubelet probes the pod's address, so the ops listener must not be on loopback", cfg.HTTPAddr)
	}
	if host != "0.0.0.0" && host != "" {
		t.Errorf("RAPPORT_HTTP_ADDR host %q: a pod's address is not known in advance; listen on 0.0.0.0", host)
	}

	ops := opsHandler(nil, prometheus.NewRegistry(), func() (bool, string) { return true, "ready" }, secretStandIns["RAPPORT_HTTP_TOKEN"], time.Now, slog.New(slog.DiscardHandler))
	for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"} {
		get := dig(c, probe, "httpGet")
		if get == nil {
			t.Errorf("no %s with httpGet", probe)
			continue
		}
		if got := dig(get, "path"); got != path {
			t.Errorf("%s path = %v, want %s", probe, got, path)
		}
		if p := containerPort(c, dig(get, "port")); p != port {
			t.Errorf("%s port = %v (container port %s), want the ops listener's %s", probe, dig(get, "port"), p, port)
		}
		rec := httptest.NewRecorder()
		ops.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("the ops listener answers %s with %d, want 200 without a token", path, rec.Code)
		}
	}

	if v := dig(pdb, "apiVersion"); v != "policy/v1" {
		t.Errorf("PodDisruptionBudget apiVersion %v, want policy/v1", v)
	}
	if min, _ := dig(pdb, "spec", "minAvailable").(int); min != 2 || min >= replicas {
		t.Errorf("PodDisruptionBudget minAvailable = %v, want 2 of %d replicas", dig(pdb, "spec", "minAvailable"), replicas)
	}
	if sel, _ := dig(pdb, "spec", "selector", "matchLabels").(map[string]any); !reflect.DeepEqual(sel, selector) {
		t.Errorf("PodDisruptionBudget selects %v, the Deployment %v", sel, selector)
	}
}

// containerPort resolves a probe's port, a number or a port's name, to the
// container port's number.
func containerPort(c any, port any) string {
	if n, ok := port.(int); ok {
		return strconv.Itoa(n)
	}
	for _, p := range asList(dig(c, "ports")) {
		if dig(p, "name") == port {
			if n, ok := dig(p, "containerPort").(int); ok {
				return strconv.Itoa(n)
			}
		}
	}
	return ""
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// subset reports whether every label of a is in b with the same value.
func subset(a, b map[string]any) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestComposeSmoke has Docker Compose itself read the compose example
// (interpolation, anchors, its own schema). It needs the docker CLI with
// the compose plugin, so it runs only with RAPPORT_COMPOSE_SMOKE=1.
func TestComposeSmoke(t *testing.T) {
	if os.Getenv("RAPPORT_COMPOSE_SMOKE") != "1" {
		t.Skip("set RAPPORT_COMPOSE_SMOKE=1 to have docker compose check docs/etcd/docker-compose.yml")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker on PATH")
	}
	if out, err := exec.CommandContext(t.Context(), "docker", "compose", "version").CombinedOutput(); err != nil {
		t.Skipf("docker has no compose plugin: %v: %s", err, out)
	}
	cmd := exec.CommandContext(t.Context(), "docker", "compose", "-f", composeFile, "config", "--services")
	cmd.Env = append(os.Environ(), "SLACK_BOT_TOKEN="+secretStandIns["SLACK_BOT_TOKEN"], "SLACK_APP_TOKEN="+secretStandIns["SLACK_APP_TOKEN"])
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker compose config: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	slices.Sort(got)
	if want := []string{"etcd1", "etcd2", "etcd3", "rapport1", "rapport2", "rapport3"}; !slices.Equal(got, want) {
		t.Errorf("docker compose sees services %v, want %v", got, want)
	}
}

// Ensure the compose file's three Rapport services, started as it says
// (their environment, with the etcd members and Slack replaced by an
// embedded three-member etcd and the project's fake Slack), make a working
// set of replicas: all three connect, exactly one leads, and a command
// sent to any of them is answered. It is the smoke test of the compose
// file that runs without Docker.
func TestComposeReplicasWork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes")
	}
	t.Parallel() // mostly waits (leases, quiet periods): runs beside the others
	docs := readYAML(t, composeFile)
	services, _ := docs[0]["services"].(map[string]any)
	c := etcdtest.Start(t, 3)
	srv := newFakeSlack(t)
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "UTC"})
	var procs []*process
	for _, name := range []string{"rapport1", "rapport2", "rapport3"} {
		env := processEnv(t, srv) // the fake's URL, the tokens and a temporary RAPPORT_DB
		composeEnv, _ := dig(services[name], "environment").(map[string]any)
		for k, v := range composeEnv {
			s := toString(v)
			switch {
			case composeVar.MatchString(s): // a secret from the host: goodEnv's stand-in
			case k == "RAPPORT_STORE":
				loc, err := store.ParseLocation(s)
				if err != nil {
					t.Fatal(err)
				}
				env[k] = etcdURL(c, loc.Prefix)
			default:
				env[k] = s
			}
		}
		env["RAPPORT_HTTP_ADDR"] = freeAddr(t)
		procs = append(procs, startProcess(t, env))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := srv.WaitOpenConnections(ctx, 3); err != nil {
		t.Fatalf("three replicas did not all connect: %v", err)
	}
	time.Sleep(500 * time.Millisecond)
	leaders := 0
	for _, p := range procs {
		leaders += strings.Count(p.stderr.String(), "msg=leading")
	}
	if leaders != 1 {
		t.Errorf("%d replicas lead, want exactly 1", leaders)
	}
	for i := range 3 { // the fake spreads the commands over the three
		if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/kudos", UserID: "UALICE", ChannelID: "CGENERAL", Text: fmt.Sprintf("<@UBOB> for smoke test %d", i)}); err != nil {
			t.Fatalf("command %d: %v", i, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := 0
		for _, call := range srv.CallsTo("response_url") {
			if strings.Contains(string(call.Body), "Kudos sent") {
				n++
			}
		}
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 commands answered", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
