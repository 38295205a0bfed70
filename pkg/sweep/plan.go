package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// Job is one model of a sweep: a regulariser at one strength λ and one seed.
type Job struct {
	// Index is the job's position in the plan, from 0.
	Index int `json:"index"`
	// Reg is "none", "ws", "as" or "as-global".
	Reg string `json:"reg"`
	// Lambda is the strength of the topographic loss, 0 for the control.
	Lambda float64 `json:"lambda"`
	Seed   uint64  `json:"seed"`
}

// Condition is a regulariser at one strength λ; the models of a condition differ only in seed.
type Condition struct {
	Reg    string  `json:"reg"`
	Lambda float64 `json:"lambda"`
}

// Control is the condition without a topographic loss.
var Control = Condition{Reg: "none"}

// Condition returns the job's condition.
func (j Job) Condition() Condition { return Condition{Reg: j.Reg, Lambda: j.Lambda} }

// Name returns the job's run directory name: the condition's key, "-s" and the seed, for example
// "control-s3" or "ws-l0.1-s3".
func (j Job) Name() string { return fmt.Sprintf("%s-s%d", j.Condition().Key(), j.Seed) }

// Key returns a short name usable in file names: "control", or the regulariser, "-l" and λ in
// the shortest decimal form, for example "ws-l1" or "as-l0.3".
func (c Condition) Key() string {
	if c.Reg == "none" {
		return "control"
	}
	return c.Reg + "-l" + strconv.FormatFloat(c.Lambda, 'g', -1, 64)
}

// Label returns the condition's name for tables and figures, for example "control" or
// "WS λ=0.3".
func (c Condition) Label() string {
	if c.Reg == "none" {
		return "control"
	}
	return strings.ToUpper(c.Reg) + " λ=" + strconv.FormatFloat(c.Lambda, 'g', -1, 64)
}

// IsControl reports whether c is the control condition.
func (c Condition) IsControl() bool { return c.Reg == "none" }

// Conditions returns the protocol's conditions in plan order: the control first if it is in
// the sweep, then for each λ each regulariser in the order of p.Regs.
func (p Protocol) Conditions() []Condition {
	var conds []Condition
	for _, r := range p.Regs {
		if r == "none" {
			conds = append(conds, Control)
		}
	}
	for _, l := range p.Lambdas {
		for _, r := range p.Regs {
			if r != "none" {
				conds = append(conds, Condition{Reg: r, Lambda: l})
			}
		}
	}
	return conds
}

// Plan returns the protocol's jobs in a fixed order: seeds in the order of p.Seeds, and within
// a seed the conditions in the order of Conditions. With seeds outermost, a sweep stopped
// part-way has trained every condition on the same number of seeds, give or take one.
// Job.Index is the position in the returned slice.
func (p Protocol) Plan() []Job {
	var jobs []Job
	for _, s := range p.Seeds {
		for _, c := range p.Conditions() {
			jobs = append(jobs, Job{Index: len(jobs), Reg: c.Reg, Lambda: c.Lambda, Seed: s})
		}
	}
	return jobs
}
