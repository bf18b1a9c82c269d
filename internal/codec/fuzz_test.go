package codec

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode: no input makes Decode, Check, ToEnvelope or Encode panic. Seeds are every
// fixture, golden and broken.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"../../fixtures/golden/*/*.xml", "../../fixtures/broken/*.xml", "testdata/*.xml"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(envOpen + `<s:Body/></s:Envelope>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Decode(raw, Options{})
		if err != nil {
			return
		}
		for _, p := range []Profile{ProfileAuto, ProfileP11, ProfileP05} {
			_ = m.Check(p)
		}
		_, _ = Encode(m.ToEnvelope(), Options{AllowIllegal: true})
	})
}
