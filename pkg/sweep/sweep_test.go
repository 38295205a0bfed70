package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPlanPaperOrder(t *testing.T) {
	p, err := ProtocolFor(Paper, "mnist")
	if err != nil {
		t.Fatal(err)
	}
	jobs := p.Plan()
	if len(jobs) != 130 {
		t.Fatalf("paper plan has %d jobs, want 13 conditions × 10 seeds = 130", len(jobs))
	}
	if got := len(p.Conditions()); got != 13 {
		t.Errorf("paper protocol has %d conditions, want 13", got)
	}
	wantFirst := []string{"control-s1", "ws-l0.1-s1", "as-l0.1-s1", "ws-l0.3-s1", "as-l0.3-s1", "ws-l0.5-s1"}
	for i, name := range wantFirst {
		if jobs[i].Name() != name {
			t.Errorf("job %d is %s, want %s", i, jobs[i].Name(), name)
		}
	}
	if last := jobs[129].Name(); last != "as-l3-s10" {
		t.Errorf("last job is %s, want as-l3-s10", last)
	}
	names := map[string]bool{}
	for i, j := range jobs {
		if j.Index != i {
			t.Errorf("job %s has index %d at position %d", j.Name(), j.Index, i)
		}
		if names[j.Name()] {
			t.Errorf("job name %s appears twice", j.Name())
		}
		names[j.Name()] = true
	}
}

func TestPlanEpochsPerDataset(t *testing.T) {
	for _, c := range []struct {
		dataset string
		epochs  int
	}{{"mnist", 10}, {"fashion-mnist", 10}, {"cifar10", 30}} {
		p, err := ProtocolFor(Paper, c.dataset)
		if err != nil {
			t.Fatal(err)
		}
		if p.Epochs != c.epochs {
			t.Errorf("paper protocol on %s trains %d epochs, want %d", c.dataset, p.Epochs, c.epochs)
		}
	}
}

func TestProtocolsValid(t *testing.T) {
	for _, name := range ProtocolNames {
		p, err := ProtocolFor(name, "mnist")
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("protocol %s: %v", name, err)
		}
	}
	q, _ := ProtocolFor(Quick, "mnist")
	if len(q.Seeds) < 3 {
		t.Errorf("quick protocol has %d seeds; a test between conditions needs at least 3", len(q.Seeds))
	}
	if !slices.Equal(q.Lambdas, []float64{1}) || !slices.Equal(q.Regs, []string{"none", "ws", "as"}) {
		t.Errorf("quick protocol is %v at λ %v, want control, WS and AS at λ = 1", q.Regs, q.Lambdas)
	}
}

func TestProtocolUnknownNames(t *testing.T) {
	if _, err := ProtocolFor("full", "mnist"); err == nil || !strings.Contains(err.Error(), "smoke, quick, paper") {
		t.Errorf("unknown protocol: error %v does not list the accepted protocols", err)
	}
	if _, err := ProtocolFor(Quick, "imagenet"); err == nil || !strings.Contains(err.Error(), "cifar10") {
		t.Errorf("unknown dataset: error %v does not list the accepted datasets", err)
	}
}

func TestValidateRejects(t *testing.T) {
	base, _ := ProtocolFor(Quick, "mnist")
	cases := []struct {
		name   string
		change func(*Protocol)
		want   string
	}{
		{"unknown reg", func(p *Protocol) { p.Regs = []string{"none", "xs"} }, `"xs"`},
		{"duplicate reg", func(p *Protocol) { p.Regs = []string{"ws", "ws"} }, "twice"},
		{"no lambdas", func(p *Protocol) { p.Lambdas = nil }, "λ"},
		{"negative lambda", func(p *Protocol) { p.Lambdas = []float64{-1} }, "-1"},
		{"no seeds", func(p *Protocol) { p.Seeds = nil }, "seeds"},
		{"duplicate seed", func(p *Protocol) { p.Seeds = []uint64{2, 2} }, "seed 2"},
		{"zero epochs", func(p *Protocol) { p.Epochs = 0 }, "epochs"},
		{"negative train limit", func(p *Protocol) { p.TrainLimit = -1 }, "train limit"},
		{"unknown suite", func(p *Protocol) { p.Suite = "medium" }, "medium"},
		{"negative eval limit", func(p *Protocol) { p.EvalLimit = -1 }, "evaluation limit"},
		{"negative test limit", func(p *Protocol) { p.TestLimit = -1 }, "test limit"},
		{"negative draws", func(p *Protocol) { p.Draws = -2 }, "draws"},
	}
	for _, c := range cases {
		p := base
		p.Regs = slices.Clone(base.Regs)
		c.change(&p)
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %s", c.name, err, c.want)
		}
	}
	control := base
	control.Regs, control.Lambdas = []string{"none"}, nil
	if err := control.Validate(); err != nil {
		t.Errorf("a control-only sweep needs no λ, got %v", err)
	}
}

func TestConditionNames(t *testing.T) {
	cases := []struct {
		c          Condition
		key, label string
	}{
		{Control, "control", "control"},
		{Condition{"ws", 1}, "ws-l1", "WS λ=1"},
		{Condition{"as", 0.3}, "as-l0.3", "AS λ=0.3"},
		{Condition{"as-global", 2}, "as-global-l2", "AS-GLOBAL λ=2"},
	}
	for _, c := range cases {
		if got := c.c.Key(); got != c.key {
			t.Errorf("Key(%v) = %q, want %q", c.c, got, c.key)
		}
		if got := c.c.Label(); got != c.label {
			t.Errorf("Label(%v) = %q, want %q", c.c, got, c.label)
		}
	}
}

func TestParseShard(t *testing.T) {
	good := map[string]Shard{"1/1": {1, 1}, "2/4": {2, 4}, " 4/4 ": {4, 4}}
	for s, want := range good {
		got, err := ParseShard(s)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"0/4", "5/4", "1/0", "-1/2", "2", "a/b", "1/2/3", ""} {
		if _, err := ParseShard(s); err == nil {
			t.Errorf("ParseShard(%q) accepted an invalid shard", s)
		}
	}
}

func TestShardsPartitionPlan(t *testing.T) {
	p, _ := ProtocolFor(Paper, "mnist")
	jobs := p.Plan()
	for n := 1; n <= 7; n++ {
		seen := make([]int, len(jobs))
		for i := 1; i <= n; i++ {
			part := Shard{i, n}.Select(jobs)
			for k, j := range part {
				seen[j.Index]++
				if j.Index%n != i-1 {
					t.Errorf("shard %d/%d holds job %d", i, n, j.Index)
				}
				if k > 0 && part[k-1].Index >= j.Index {
					t.Errorf("shard %d/%d is out of plan order", i, n)
				}
			}
		}
		for idx, c := range seen {
			if c != 1 {
				t.Errorf("with %d shards job %d is selected %d times, want 1", n, idx, c)
			}
		}
	}
}

func TestParseLists(t *testing.T) {
	seeds, err := ParseSeeds("1-3, 7,9-10")
	if err != nil || !slices.Equal(seeds, []uint64{1, 2, 3, 7, 9, 10}) {
		t.Errorf("ParseSeeds = %v, %v", seeds, err)
	}
	for _, s := range []string{"", "3-1", "x", "1-", "-2", "1-99999999"} {
		if _, err := ParseSeeds(s); err == nil {
			t.Errorf("ParseSeeds(%q) accepted invalid seeds", s)
		}
	}
	for s, want := range map[string]string{"5-1": "write it as 1-5", "1-99999999": "split the sweep"} {
		if _, err := ParseSeeds(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSeeds(%q) error %v does not say %q", s, err, want)
		}
	}
	if top, err := ParseSeeds("18446744073709551615-18446744073709551615"); err != nil || len(top) != 1 {
		t.Errorf("ParseSeeds at the largest seed = %v, %v", top, err)
	}
	lambdas, err := ParseLambdas("0.1,1,3")
	if err != nil || !slices.Equal(lambdas, []float64{0.1, 1, 3}) {
		t.Errorf("ParseLambdas = %v, %v", lambdas, err)
	}
	for _, s := range []string{"", "0", "-1", "inf", "NaN", "one"} {
		if _, err := ParseLambdas(s); err == nil {
			t.Errorf("ParseLambdas(%q) accepted an invalid λ", s)
		}
	}
	regs, err := ParseRegs("none,ws")
	if err != nil || !slices.Equal(regs, []string{"none", "ws"}) {
		t.Errorf("ParseRegs = %v, %v", regs, err)
	}
	if _, err := ParseRegs("ws,topo"); err == nil || !strings.Contains(err.Error(), "as-global") {
		t.Errorf("ParseRegs with an unknown name: error %v does not list the accepted names", err)
	}
}

func TestPrepareRejectsOtherProtocol(t *testing.T) {
	dir := t.TempDir()
	p, _ := ProtocolFor(Smoke, "mnist")
	if _, err := Prepare(dir, p); err != nil {
		t.Fatal(err)
	}
	m, err := Prepare(dir, p)
	if err != nil {
		t.Fatalf("second Prepare with the same protocol: %v", err)
	}
	if len(m.Jobs) != len(p.Plan()) {
		t.Errorf("manifest has %d jobs, want %d", len(m.Jobs), len(p.Plan()))
	}
	q := p
	q.Epochs = 7
	_, err = Prepare(dir, q)
	if err == nil || !strings.Contains(err.Error(), "epochs") {
		t.Errorf("Prepare with other epochs: error %v, want one naming epochs", err)
	}
	if _, err := ReadManifest(t.TempDir()); err == nil || !strings.Contains(err.Error(), "reproduce") {
		t.Errorf("ReadManifest of an empty directory: error %v, want one saying how to start a sweep", err)
	}
}

// fakeExecutor records its calls and keeps each job's state in a file named "state".
type fakeExecutor struct {
	trained, resumed, analysed []string
	failTrain                  string
	// cancelAfterTrain cancels the context after training this job, before its analysis.
	cancelAfterTrain string
	cancel           context.CancelFunc
}

func (f *fakeExecutor) State(job Job, dir string) (TrainState, error) {
	data, err := os.ReadFile(filepath.Join(dir, "state"))
	if errors.Is(err, os.ErrNotExist) {
		return Untrained, nil
	}
	switch string(data) {
	case "interrupted":
		return Interrupted, nil
	case "trained":
		return Trained, nil
	}
	return 0, fmt.Errorf("bad state %q", data)
}

func (f *fakeExecutor) Train(ctx context.Context, job Job, dir string, resume bool) error {
	if job.Name() == f.failTrain {
		return errors.New("loss is NaN")
	}
	if resume {
		f.resumed = append(f.resumed, job.Name())
	} else {
		f.trained = append(f.trained, job.Name())
	}
	os.MkdirAll(dir, 0o755)
	if job.Name() == f.cancelAfterTrain {
		f.cancel()
	}
	return os.WriteFile(filepath.Join(dir, "state"), []byte("trained"), 0o644)
}

func (f *fakeExecutor) Analyze(ctx context.Context, job Job, dir string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.analysed = append(f.analysed, job.Name())
	return os.WriteFile(filepath.Join(dir, AnalysisFile), []byte("{}"), 0o644)
}

func smokeManifest(t *testing.T, dir string, seeds int) *Manifest {
	t.Helper()
	p, _ := ProtocolFor(Smoke, "mnist")
	p.Seeds = seedRange(1, uint64(seeds))
	m, err := Prepare(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRunnerSkipsAndResumes(t *testing.T) {
	dir := t.TempDir()
	m := smokeManifest(t, dir, 2) // control, ws, as × seeds 1, 2

	// control-s1 finished, ws-l1-s1 interrupted, as-l1-s1 trained but not analysed.
	write := func(job, file, content string) {
		os.MkdirAll(filepath.Join(dir, RunsDir, job), 0o755)
		os.WriteFile(filepath.Join(dir, RunsDir, job, file), []byte(content), 0o644)
	}
	write("control-s1", "state", "trained")
	write("control-s1", AnalysisFile, "{}")
	write("ws-l1-s1", "state", "interrupted")
	write("ws-l1-s1", AnalysisFile, "{}") // stale: must be redone after training
	write("as-l1-s1", "state", "trained")

	exec := &fakeExecutor{}
	sum, err := (&Runner{Dir: dir, Manifest: m, Shard: All, Exec: exec}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(exec.trained, []string{"control-s2", "ws-l1-s2", "as-l1-s2"}) {
		t.Errorf("trained %v, want the three seed-2 jobs", exec.trained)
	}
	if !slices.Equal(exec.resumed, []string{"ws-l1-s1"}) {
		t.Errorf("resumed %v, want [ws-l1-s1]", exec.resumed)
	}
	if !slices.Equal(exec.analysed, []string{"ws-l1-s1", "as-l1-s1", "control-s2", "ws-l1-s2", "as-l1-s2"}) {
		t.Errorf("analysed %v", exec.analysed)
	}
	if !slices.Equal(sum.Finished, []string{"control-s1"}) {
		t.Errorf("summary lists %v as finished before, want [control-s1]", sum.Finished)
	}

	// A second run finds everything finished.
	again := &fakeExecutor{}
	sum, err = (&Runner{Dir: dir, Manifest: m, Shard: All, Exec: again}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(again.trained)+len(again.resumed)+len(again.analysed) != 0 || len(sum.Finished) != 6 {
		t.Errorf("second run did work: trained %v resumed %v analysed %v", again.trained, again.resumed, again.analysed)
	}
}

func TestRunnerFailureGoesOn(t *testing.T) {
	dir := t.TempDir()
	m := smokeManifest(t, dir, 1)
	exec := &fakeExecutor{failTrain: "ws-l1-s1"}
	sum, err := (&Runner{Dir: dir, Manifest: m, Shard: All, Exec: exec}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ws-l1-s1") {
		t.Errorf("error %v does not name the failed job", err)
	}
	if _, ok := sum.Failed["ws-l1-s1"]; !ok || len(sum.Failed) != 1 {
		t.Errorf("failed jobs %v, want only ws-l1-s1", sum.Failed)
	}
	if !slices.Equal(exec.analysed, []string{"control-s1", "as-l1-s1"}) {
		t.Errorf("analysed %v, want the jobs around the failed one", exec.analysed)
	}
}

func TestRunnerCancelThenResume(t *testing.T) {
	dir := t.TempDir()
	m := smokeManifest(t, dir, 1)
	ctx, cancel := context.WithCancel(context.Background())
	exec := &fakeExecutor{cancelAfterTrain: "ws-l1-s1", cancel: cancel}
	_, err := (&Runner{Dir: dir, Manifest: m, Shard: All, Exec: exec}).Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run returned %v, want context.Canceled", err)
	}
	if !slices.Equal(exec.trained, []string{"control-s1", "ws-l1-s1"}) {
		t.Errorf("trained %v before the cancel", exec.trained)
	}

	again := &fakeExecutor{}
	if _, err := (&Runner{Dir: dir, Manifest: m, Shard: All, Exec: again}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.trained, []string{"as-l1-s1"}) {
		t.Errorf("restart trained %v, want only the job never started", again.trained)
	}
	if !slices.Equal(again.analysed, []string{"ws-l1-s1", "as-l1-s1"}) {
		t.Errorf("restart analysed %v", again.analysed)
	}
}

func TestRunnerLeavesLockedJob(t *testing.T) {
	dir := t.TempDir()
	m := smokeManifest(t, dir, 1)
	unlock, err := tryLock(filepath.Join(dir, RunsDir, "ws-l1-s1.lock"))
	if err != nil {
		t.Fatal(err)
	}
	exec := &fakeExecutor{}
	sum, err := (&Runner{Dir: dir, Manifest: m, Shard: All, Exec: exec}).Run(context.Background())
	unlock()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sum.Busy, []string{"ws-l1-s1"}) {
		t.Errorf("busy jobs %v, want [ws-l1-s1]", sum.Busy)
	}
	if slices.Contains(exec.trained, "ws-l1-s1") {
		t.Error("the runner trained a job another process had locked")
	}
	if _, err := tryLock(filepath.Join(dir, RunsDir, "ws-l1-s1.lock")); err != nil {
		t.Errorf("lock not released: %v", err)
	}
}

func TestRunnerShard(t *testing.T) {
	dir := t.TempDir()
	m := smokeManifest(t, dir, 2)
	exec := &fakeExecutor{}
	if _, err := (&Runner{Dir: dir, Manifest: m, Shard: Shard{2, 2}, Exec: exec}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(exec.trained, []string{"ws-l1-s1", "control-s2", "as-l1-s2"}) {
		t.Errorf("shard 2/2 trained %v, want the jobs at odd indices", exec.trained)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.json")
	for _, content := range []string{"first", "second"} {
		if err := WriteFileAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != content {
			t.Errorf("file contains %q, want %q", got, content)
		}
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
			t.Errorf("file mode %v (%v), want 0644", info.Mode().Perm(), err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the file (no temporary files left)", len(entries))
	}
}
