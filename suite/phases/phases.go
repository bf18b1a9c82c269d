// Package phases gathers the conformance specs of every phase (issuance, establish, transfer,
// security, closure, recovery): importing it registers them all.
package phases

import (
	_ "github.com/rspcheck/rspcheck/suite/phases/closure"
	_ "github.com/rspcheck/rspcheck/suite/phases/establish"
	_ "github.com/rspcheck/rspcheck/suite/phases/issuance"
	_ "github.com/rspcheck/rspcheck/suite/phases/recovery"
	_ "github.com/rspcheck/rspcheck/suite/phases/security"
	_ "github.com/rspcheck/rspcheck/suite/phases/transfer"
)
