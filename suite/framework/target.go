package framework

// TargetSUT is the descriptor `--target URL` stands for: an external responder at url with
// the reference peers' capabilities assumed (use a descriptor to declare fewer).
func TargetSUT(url, profile, soapVersion string) (*SUT, error) {
	s := &SUT{Product: "unknown", Role: Responder, Endpoint: url, Profile: profile, SOAP: soapVersion, File: "--target " + url,
		Capabilities: []Capability{CapIssuance, CapRenew, CapCancel, CapDerivedKeys, CapOffer, CapClose, CapAddressableAT}}
	return s, s.Check()
}
