package recovery

import (
	"context"
	"crypto/rand"
	"strings"

	. "github.com/onsi/gomega" //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
	"github.com/rspcheck/rspcheck/internal/token"
)

// RM-PER-005 on the embedded peers: the suite reads the state directory of a stopped peer.
// The stored form of the SCT must hold no key material in the clear, and a record that was
// tampered with, or a storage key that is not the peer's, must stop the peer from starting
// (rather than give it a token with another key).

// sealedRecords are the token records of a closed state directory.
func sealedRecords(dir string) []store.TokenRecord {
	st, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	Expect(err).NotTo(HaveOccurred(), "open the stopped peer's state directory")
	defer st.Close()
	snap, err := st.Recover(context.Background())
	Expect(err).NotTo(HaveOccurred(), "read the stopped peer's state directory")
	return snap.Tokens
}

// tamper flips one bit in the sealed form of SCT id in a (copied) state directory.
func tamper(dir, id string) {
	st, err := bolt.Open(dir, bolt.Options{})
	Expect(err).NotTo(HaveOccurred())
	defer st.Close()
	snap, err := st.Recover(context.Background())
	Expect(err).NotTo(HaveOccurred())
	for _, r := range snap.Tokens {
		if r.Identifier != id {
			continue
		}
		r.Sealed = append([]byte(nil), r.Sealed...)
		r.Sealed[len(r.Sealed)/2] ^= 0x10
		var b store.Batch
		b.PutToken(r)
		Expect(st.Commit(context.Background(), b)).To(Succeed())
		return
	}
	Expect(false).To(BeTrue(), "expected: the sealed record of %s to tamper with\nactual:   none", id)
}

// otherKey is a storage key that is not the peer's.
func otherKey() []byte {
	k := make([]byte, token.StorageKeySize)
	_, _ = rand.Read(k)
	return k
}

// hasRecord reports whether recs hold a record of SCT id.
func hasRecord(recs []store.TokenRecord, id string) bool {
	for _, r := range recs {
		if r.Identifier == id {
			return true
		}
	}
	return false
}

// checkAtRest judges a stopped peer's state directory dir holding SCT id (secrets: every
// instance the suite knows): the record is there, no secret is in the clear, the peer starts
// on an intact copy and refuses a tampered copy and another storage key. reopen starts the
// peer on a directory with a key and returns its error.
func checkAtRest(dir, id string, secrets []token.Token, key []byte, reopen func(dir string, key []byte) error) {
	recs := sealedRecords(dir)
	Expect(hasRecord(recs, id)).To(BeTrue(),
		"expected: the SCT %s of the interrupted sequence kept in the store (a recovered sequence needs its key)\nactual:   %d token records, none for it", id, len(recs))
	l := leaks(dir, secrets)
	Expect(l).To(BeEmpty(),
		"expected: no SCT key material in the clear (raw, base64 or hex) in the state directory\nactual:   %s", strings.Join(l, "; "))
	err := reopen(copyDir(dir), key)
	Expect(err == nil).To(BeTrue(),
		"expected: the peer starts on an intact copy of its state directory with its storage key (control)\nactual:   %v", err)
	bad := copyDir(dir)
	tamper(bad, id)
	err = reopen(bad, key)
	Expect(err != nil).To(BeTrue(),
		"expected: the peer refuses to start when the sealed SCT %s was tampered with (integrity)\nactual:   it started", id)
	err = reopen(copyDir(dir), otherKey())
	Expect(err != nil).To(BeTrue(),
		"expected: the peer refuses to start with a storage key that is not the one that sealed the SCT\nactual:   it started")
}
