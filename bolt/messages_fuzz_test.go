package bolt

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/boltrx/boltrx/packstream"
)

// fuzzVersions are the versions every fuzzed message is decoded as: one of
// each message shape.
var fuzzVersions = []Version{v1_0, V3_0, V4_0, V4_3, V4_4, V5_1, V5_4, V5_6, V5_8, V6_1}

// mayHoldNaN reports whether msg may contain a float (NaN is not equal to
// itself, which defeats the comparison of decoded values).
func mayHoldNaN(msg []byte) bool { return bytes.IndexByte(msg, 0xC1) >= 0 }

// FuzzDecodeResponse decodes arbitrary bytes as a response on several
// versions: no panic, only protocol errors, and what decodes re-encodes to
// a message that decodes to a fixed point.
func FuzzDecodeResponse(f *testing.F) {
	for _, v := range fuzzVersions {
		caps, _ := CapabilitiesFor(v)
		for _, r := range sampleResponses(caps) {
			enc := packstream.Encoder{Dialect: caps.Dialect(false)}
			if EncodeResponse(&enc, caps, r) == nil {
				f.Add(bytes.Clone(enc.Buffer()))
			}
		}
	}
	f.Add(hx("B1 70 A1 82 72 74 A2 83 74 74 6C 01 87 73 65 72 76 65 72 73 91 A1 84 72 6F 6C 65 01"))
	f.Add(deepCause(40))
	f.Fuzz(func(t *testing.T, msg []byte) {
		for _, v := range fuzzVersions {
			caps, _ := CapabilitiesFor(v)
			for _, patched := range []bool{false, caps.UTCPatch} {
				dialect := caps.Dialect(patched)
				var first Response
				err := DecodeResponse(msg, caps, dialect, &first)
				if err != nil {
					if !errors.Is(err, ErrProtocol) {
						t.Fatalf("%s: error %v is not a protocol error", v, err)
					}
					if first.Kind != ResponseNone {
						t.Fatalf("%s: Kind %v after an error", v, first.Kind)
					}
					continue
				}
				second := responseCycle(t, caps, dialect, &first)
				third := responseCycle(t, caps, dialect, second)
				if !mayHoldNaN(msg) && !reflect.DeepEqual(second, third) {
					t.Fatalf("%s: not a fixed point:\n%+v\n%+v", v, second, third)
				}
			}
		}
	})
}

// responseCycle encodes resp and decodes the result.
func responseCycle(t *testing.T, caps *Capabilities, dialect packstream.Dialect, resp *Response) *Response {
	t.Helper()
	enc := packstream.Encoder{Dialect: dialect}
	if err := EncodeResponse(&enc, caps, resp); err != nil {
		t.Fatalf("%s: re-encoding %+v: %v", caps.Version, resp, err)
	}
	var back Response
	if err := DecodeResponse(enc.Buffer(), caps, dialect, &back); err != nil {
		t.Fatalf("%s: decoding the re-encoded %+v: %v", caps.Version, resp, err)
	}
	return &back
}

// FuzzDecodeRequest decodes arbitrary bytes as a request on several
// versions: no panic, only protocol errors, and what decodes and encodes
// again decodes to a fixed point.
func FuzzDecodeRequest(f *testing.F) {
	for _, v := range fuzzVersions {
		caps, _ := CapabilitiesFor(v)
		for _, r := range sampleRequests(caps) {
			enc := packstream.Encoder{Dialect: caps.Dialect(false)}
			if EncodeRequest(&enc, caps, r) == nil {
				f.Add(bytes.Clone(enc.Buffer()))
			}
		}
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		for _, v := range fuzzVersions {
			caps, _ := CapabilitiesFor(v)
			dialect := caps.Dialect(false)
			first, err := DecodeRequest(msg, caps, dialect)
			if err != nil {
				if !errors.Is(err, ErrProtocol) {
					t.Fatalf("%s: error %v is not a protocol error", v, err)
				}
				continue
			}
			second, ok := requestCycle(t, caps, dialect, first)
			if !ok {
				continue // decodable but not something a client may send, e.g. PULL n=0
			}
			third, ok := requestCycle(t, caps, dialect, second)
			if !ok {
				t.Fatalf("%s: %#v encoded once but not twice", v, second)
			}
			if !mayHoldNaN(msg) && !reflect.DeepEqual(second, third) {
				t.Fatalf("%s: not a fixed point:\n%#v\n%#v", v, second, third)
			}
		}
	})
}

// requestCycle encodes req and decodes the result; ok is false when the
// request is one the encoder refuses (a usage error).
func requestCycle(t *testing.T, caps *Capabilities, dialect packstream.Dialect, req Request) (Request, bool) {
	t.Helper()
	enc := packstream.Encoder{Dialect: dialect}
	if err := EncodeRequest(&enc, caps, req); err != nil {
		if errors.Is(err, ErrUsage) {
			return nil, false
		}
		t.Fatalf("%s: re-encoding %#v: %v", caps.Version, req, err)
	}
	back, err := DecodeRequest(enc.Buffer(), caps, dialect)
	if err != nil {
		t.Fatalf("%s: decoding the re-encoded %#v: %v", caps.Version, req, err)
	}
	return back, true
}
