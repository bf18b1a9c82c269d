package peer

import (
	"os"
	"runtime"
)

// TuneProcs gives the Go scheduler one processor (P) more than its default for each embedded
// store the process writes, unless the user chose GOMAXPROCS, and returns a function that
// restores the previous setting. rsppeer calls it when it runs with --data; the durable
// benchmarks call it so that they measure the program as shipped.
//
// Why: a store commit ends in fdatasync (two per bbolt transaction, ~0.6-1.5 ms each on this
// machine's disk), an ordinary blocking system call during which the committing goroutine's
// thread keeps its P until the runtime's monitor takes it back. With GOMAXPROCS equal to the
// number of CPUs, the committers of a durable peer pair held up to both Ps of a 2-CPU machine
// while the CPUs were idle, so HTTP exchanges waited in the run queues: measured with
// BenchmarkDurableRM16 (group-ack8), ~9 ms of each ~10 ms exchange was spent between the
// request leaving the client and the handler starting, CPU use was ~110% of 200%, and one
// extra P per store doubled the throughput (1,150-1,480 -> 1,940-2,340 msg/s). Memory-only
// peers make no blocking calls and gain nothing from it (more Ps than CPUs cost them ~10%),
// so they are not tuned.
func TuneProcs(stores int) (restore func()) {
	if _, set := os.LookupEnv("GOMAXPROCS"); set || stores <= 0 {
		return func() {}
	}
	old := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(old + stores)
	return func() { runtime.GOMAXPROCS(old) }
}
