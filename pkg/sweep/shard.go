package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is one of Count slices of a sweep. Index counts from 1, as Slurm array task ids and
// the "--shard 1/4" notation do.
type Shard struct {
	Index, Count int
}

// All is the shard that selects every job.
var All = Shard{Index: 1, Count: 1}

// ParseShard reads a shard written "I/N" with 1 ≤ I ≤ N, for example "2/4".
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("sweep: invalid shard %q: write it as I/N with 1 ≤ I ≤ N, for example 2/4", s)
	}
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("sweep: invalid shard %q: write it as I/N with whole numbers 1 ≤ I ≤ N, for example 2/4", s)
	}
	sh := Shard{Index: index, Count: count}
	if err := sh.Validate(); err != nil {
		return Shard{}, err
	}
	return sh, nil
}

// Validate returns an error unless 1 ≤ Index ≤ Count.
func (s Shard) Validate() error {
	if s.Count < 1 {
		return fmt.Errorf("sweep: invalid shard %d/%d: the number of shards must be at least 1", s.Index, s.Count)
	}
	if s.Index < 1 || s.Index > s.Count {
		return fmt.Errorf("sweep: invalid shard %d/%d: the shard index counts from 1 and must be between 1 and %d", s.Index, s.Count, s.Count)
	}
	return nil
}

// String returns the shard as "I/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Select returns the jobs j with j.Index mod Count = Index − 1, in their order. Every job of a
// plan falls in exactly one of the shards 1/N … N/N. It panics if the shard is invalid.
func (s Shard) Select(jobs []Job) []Job {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	var out []Job
	for _, j := range jobs {
		if j.Index%s.Count == s.Index-1 {
			out = append(out, j)
		}
	}
	return out
}
