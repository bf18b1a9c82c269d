package schemas

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// testValidator is loaded once by TestMain from the installed schemas. The tests never skip
// for lack of schemas: without an installation they fail, telling how to install.
var (
	testDir       string
	testValidator *Validator
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelper())
	}
	dir, err := Dir()
	if err == nil {
		testDir = dir
		testValidator, err = Load(dir)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "schemas tests cannot run: %v\n", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
