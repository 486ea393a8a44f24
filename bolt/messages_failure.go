package bolt

import (
	"github.com/boltrx/boltrx/packstream"
)

// maxCauseDepth bounds the cause chain of a FAILURE, so hostile input
// cannot recurse without end.
const maxCauseDepth = 32

// Failure says the request failed: FAILURE {metadata}. Before 5.7 the
// metadata is {code, message}; from 5.7 on it is {neo4j_code, message,
// gql_status, description, diagnostic_record, cause}, where cause is a
// nested failure (without neo4j_code) that may have its own cause.
//
// Decoding accepts both key sets on every version and skips unknown keys.
// Encoding (server side) writes the key set of the version and leaves out
// what it cannot carry.
type Failure struct {
	Code             string         // "code" (before 5.7) or "neo4j_code", e.g. "Neo.ClientError.Statement.SyntaxError"
	Message          string         // for people; not stable across server versions
	GQLStatus        string         // "gql_status" (5.7+), e.g. "42001"
	Description      string         // "description" (5.7+): what GQLStatus means
	DiagnosticRecord map[string]any // "diagnostic_record" (5.7+), nil when absent (defaults apply)
	Cause            *Failure       // "cause" (5.7+): the inner error, nil when absent
}

// Tag returns TagFailure.
func (*Failure) Tag() byte { return TagFailure }

// Error returns "code: message" (or the GQL status when there is no code),
// so a Failure can travel as an error.
func (f *Failure) Error() string {
	code := f.Code
	if code == "" {
		code = f.GQLStatus
	}
	if code == "" {
		return f.Message
	}
	return code + ": " + f.Message
}

// Classification returns the diagnostic record's "_classification", e.g.
// "CLIENT_ERROR", or "" when there is none.
func (f *Failure) Classification() string {
	c, _ := f.DiagnosticRecord["_classification"].(string)
	return c
}

func (f *Failure) decode(r *fieldReader, depth int) error {
	field := "metadata"
	if depth > 0 {
		field = "cause"
	}
	if depth > maxCauseDepth {
		return r.fail(field, r.d.Offset(), "cause chain deeper than 32", packstream.ErrTooDeep)
	}
	return eachEntry(r, field, func(key []byte) (err error) {
		switch string(key) {
		case "code", "neo4j_code":
			_, err = r.optStr(string(key), &f.Code)
		case "message":
			_, err = r.optStr("message", &f.Message)
		case "gql_status":
			_, err = r.optStr("gql_status", &f.GQLStatus)
		case "description":
			_, err = r.optStr("description", &f.Description)
		case "diagnostic_record":
			f.DiagnosticRecord, err = r.anyMap("diagnostic_record", true)
		case "cause":
			var null bool
			if null, err = r.expect("cause", packstream.KindMap, true); err == nil && !null {
				f.Cause = &Failure{}
				err = f.Cause.decode(r, depth+1)
			}
		default:
			err = r.skip(field + "." + string(key))
		}
		return err
	})
}

// encode writes the message (server side).
func (f *Failure) encode(enc *packstream.Encoder, caps *Capabilities) error {
	enc.WriteStructHeader(TagFailure, 1)
	if !caps.GQLErrors {
		return writeDict(enc, func(d *dictWriter) {
			d.str("code", f.Code)
			d.str("message", f.Message)
		})
	}
	return writeDict(enc, func(d *dictWriter) { f.gqlEntries(d, 0) })
}

// gqlEntries writes the 5.7+ keys; a cause (depth > 0) has no neo4j_code.
func (f *Failure) gqlEntries(d *dictWriter, depth int) {
	if depth > maxCauseDepth {
		d.fail(&InvalidRequestError{Message: "FAILURE", Field: "cause", Detail: "cause chain deeper than 32"})
		return
	}
	if depth == 0 {
		d.str("neo4j_code", f.Code)
	}
	d.str("message", f.Message)
	d.str("gql_status", f.GQLStatus)
	d.str("description", f.Description)
	if f.DiagnosticRecord != nil {
		d.anyMap("diagnostic_record", f.DiagnosticRecord)
	}
	if f.Cause != nil {
		cause := f.Cause
		d.dict("cause", func(d *dictWriter) { cause.gqlEntries(d, depth+1) })
	}
}
