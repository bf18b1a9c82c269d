package peer

import (
	"os"
	"runtime/debug"
)

// GCPercent is the garbage-collection target rsppeer runs with when GOGC is not set: the
// peers' live heap is small (a few MiB plus the open sequences) and almost every allocation
// is a message that dies within one exchange, so the default target of 100 collects far
// more often than it frees anything worth having (measured: GC is ~20% of the CPU of a
// secured exchange at 100). At 400 the heap may grow to five times the live data before a
// collection — still a few tens of MiB for 10,000 open sequences.
const GCPercent = 400

// TuneGC applies GCPercent unless the user chose a target with GOGC, and returns a function
// that restores the previous setting. rsppeer calls it at start-up and the end-to-end
// benchmarks call it so that they measure the program as shipped.
func TuneGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	old := debug.SetGCPercent(GCPercent)
	return func() { debug.SetGCPercent(old) }
}
