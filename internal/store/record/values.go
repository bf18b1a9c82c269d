package record

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/token"
)

// EncodeSource encodes the state of a Source sequence (stored under its identifier).
func EncodeSource(st rm.SourceState) ([]byte, error) {
	st.Expires = st.Expires.UTC()
	return encodeJSON(KindSource, st.Seq, st)
}

// DecodeSource decodes the state stored under seq.
func DecodeSource(seq string, v []byte) (rm.SourceState, error) {
	var st rm.SourceState
	if err := decodeJSON(KindSource, seq, v, &st); err != nil {
		return rm.SourceState{}, err
	}
	if st.Seq != seq {
		return rm.SourceState{}, fmt.Errorf("%w: source state of %q stored under %q", ErrCorrupt, st.Seq, seq)
	}
	return st, nil
}

// EncodeDestination encodes the state of a Destination sequence.
func EncodeDestination(st rm.DestinationState) ([]byte, error) {
	st.Expires = st.Expires.UTC()
	return encodeJSON(KindDestination, st.Seq, st)
}

// DecodeDestination decodes the state stored under seq.
func DecodeDestination(seq string, v []byte) (rm.DestinationState, error) {
	var st rm.DestinationState
	if err := decodeJSON(KindDestination, seq, v, &st); err != nil {
		return rm.DestinationState{}, err
	}
	if st.Seq != seq {
		return rm.DestinationState{}, fmt.Errorf("%w: destination state of %q stored under %q", ErrCorrupt, st.Seq, seq)
	}
	return st, nil
}

func encodeJSON(k Kind, seq string, x any) ([]byte, error) {
	j, err := json.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("record: encode %s %q: %w", k, seq, err)
	}
	b := append(newBody(len(j)), j...)
	return frame(k, [][]byte{[]byte(seq)}, b), nil
}

func decodeJSON(k Kind, seq string, v []byte, x any) error {
	body, err := unframe(k, [][]byte{[]byte(seq)}, v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(x); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, k, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: %s: data after the value", ErrCorrupt, k)
	}
	return nil
}

func messageAddr(role rm.Role, seq string, n uint64) [][]byte {
	return [][]byte{{byte(role)}, []byte(seq), NumberKey(n)}
}

// EncodeMessage encodes the payload of message n of (role, seq).
func EncodeMessage(role rm.Role, seq string, n uint64, p rm.Payload) []byte {
	b := append(newBody(len(p)), p...)
	return frame(KindMessage, messageAddr(role, seq, n), b)
}

// DecodeMessage returns a copy of the payload stored as message n of (role, seq). A stored
// empty payload decodes as nil.
func DecodeMessage(role rm.Role, seq string, n uint64, v []byte) (rm.Payload, error) {
	body, err := unframe(KindMessage, messageAddr(role, seq, n), v)
	if err != nil || len(body) == 0 {
		return nil, err
	}
	return append(rm.Payload(nil), body...), nil
}

// EncodeToken encodes a token record stored under its Identifier. sealed must be a record
// of token.Sealer for identifier and instance (the store checks this before encoding).
func EncodeToken(identifier, instance, endpoint string, sealed []byte) []byte {
	b := newBody(2*binary.MaxVarintLen64 + len(instance) + len(endpoint) + len(sealed))
	for _, s := range []string{instance, endpoint} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = append(b, sealed...)
	return frame(KindToken, [][]byte{[]byte(identifier)}, b)
}

// DecodeToken decodes the token record stored under identifier and checks that the sealed
// record inside names that Identifier and the stored Instance (token.RecordIdentity). The
// sealed record is returned as a copy; it is not opened.
func DecodeToken(identifier string, v []byte) (instance, endpoint string, sealed []byte, err error) {
	body, err := unframe(KindToken, [][]byte{[]byte(identifier)}, v)
	if err != nil {
		return "", "", nil, err
	}
	var parts [2]string
	for i := range parts {
		l, n := binary.Uvarint(body)
		if n <= 0 || l > uint64(len(body)-n) {
			return "", "", nil, fmt.Errorf("%w: token record of %s: bad length", ErrCorrupt, identifier)
		}
		parts[i] = string(body[n : n+int(l)])
		body = body[n+int(l):]
	}
	id, inst, err := token.RecordIdentity(body)
	if err != nil {
		return "", "", nil, fmt.Errorf("%w: token record of %s: %v", ErrCorrupt, identifier, err)
	}
	if id != identifier || inst != parts[0] {
		return "", "", nil, fmt.Errorf("%w: token record under %s/%q seals %s/%q", ErrCorrupt, identifier, parts[0], id, inst)
	}
	return parts[0], parts[1], append([]byte(nil), body...), nil
}

// EncodeMeta encodes a metadata value.
func EncodeMeta(key string, value []byte) []byte {
	return frame(KindMeta, [][]byte{[]byte(key)}, append(newBody(len(value)), value...))
}

// DecodeMeta returns a copy of the metadata value stored under key (never nil).
func DecodeMeta(key string, v []byte) ([]byte, error) {
	body, err := unframe(KindMeta, [][]byte{[]byte(key)}, v)
	if err != nil {
		return nil, err
	}
	return append([]byte{}, body...), nil
}
