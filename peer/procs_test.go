package peer

import (
	"os"
	"runtime"
	"testing"
)

// TestTuneProcs: one P more per store, restored afterwards; nothing when the user set
// GOMAXPROCS or for a memory-only process.
func TestTuneProcs(t *testing.T) {
	if _, set := os.LookupEnv("GOMAXPROCS"); set {
		t.Setenv("GOMAXPROCS", os.Getenv("GOMAXPROCS")) // restored after the test
		os.Unsetenv("GOMAXPROCS")
	}
	base := runtime.GOMAXPROCS(0)
	restore := TuneProcs(2)
	if got := runtime.GOMAXPROCS(0); got != base+2 {
		t.Fatalf("GOMAXPROCS %d, want %d", got, base+2)
	}
	restore()
	if got := runtime.GOMAXPROCS(0); got != base {
		t.Fatalf("restored to %d, want %d", got, base)
	}
	TuneProcs(0)()
	if got := runtime.GOMAXPROCS(0); got != base {
		t.Fatalf("memory only: GOMAXPROCS %d, want %d", got, base)
	}
	t.Setenv("GOMAXPROCS", "1")
	TuneProcs(1)()
	if got := runtime.GOMAXPROCS(0); got != base {
		t.Fatalf("GOMAXPROCS set by the user: %d, want %d", got, base)
	}
}
