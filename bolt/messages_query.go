package bolt

import (
	"strconv"

	"github.com/boltrx/boltrx/packstream"
)

// Run executes a query: RUN query params {extra} (the extra dictionary
// from 3.0 on). Outside a transaction it starts an auto-commit transaction
// configured by TxConfig; inside one, TxConfig stays zero.
type Run struct {
	Query  string
	Params map[string]any // nil sends {}
	TxConfig
}

func (m *Run) encode(enc *packstream.Encoder, caps *Capabilities, tag byte) error {
	if err := m.check("RUN", caps); err != nil {
		return err
	}
	if !caps.ExplicitTransactions {
		enc.WriteStructHeader(tag, 2)
	} else {
		enc.WriteStructHeader(tag, 3)
	}
	enc.WriteString(m.Query)
	if len(m.Params) == 0 {
		enc.WriteMapHeader(0)
	} else if err := enc.WriteParams(m.Params); err != nil {
		return err
	}
	if !caps.ExplicitTransactions {
		return nil
	}
	d := newDict(enc)
	for d.pass() {
		m.entries(&d, caps)
	}
	return d.err
}

func (m *Run) decode(r *fieldReader, caps *Capabilities, fields int) error {
	want := 3
	if !caps.ExplicitTransactions {
		want = 2
	}
	err := wantFields(r, fields, want)
	err = then(err, &m.Query, r.str, "query", false)
	err = then(err, &m.Params, r.anyMap, "parameters", false)
	if err != nil || want == 2 {
		return err
	}
	return m.decodeExtra(r, caps)
}

// All and LastQuery are the special values of Pull and Discard: N and Qid.
const (
	// All asks for every remaining record (N).
	All int64 = -1
	// LastQuery names the most recent query of the transaction (Qid).
	LastQuery int64 = -1
)

// Pull asks for records: PULL {n, qid} from 4.0 on, PULL_ALL before.
//
// Before 4.0 the only possible request is "all records of the current
// result": N and Qid must both be -1. The zero value asks for 0 records of
// query 0; use All and LastQuery.
type Pull struct {
	// N is how many records to stream; All (-1) streams all of them.
	N int64
	// Qid names the query inside an explicit transaction; LastQuery (-1),
	// the most recent one, is not sent.
	Qid int64
}

// Discard throws records away: DISCARD {n, qid} from 4.0 on, DISCARD_ALL
// before. The rules for N and Qid are those of Pull.
type Discard struct {
	// N is how many records to discard; All (-1) discards the rest.
	N int64
	// Qid names the query inside an explicit transaction; LastQuery (-1),
	// the most recent one, is not sent.
	Qid int64
}

// encode writes PULL, or DISCARD when tag is TagDiscard.
func (m *Pull) encode(enc *packstream.Encoder, caps *Capabilities, tag byte) error {
	name := "PULL"
	if tag == TagDiscard {
		name = "DISCARD"
	}
	if !caps.PullN {
		if m.N != All {
			return &VersionError{Message: name, Field: "n", Version: caps.Version, Detail: "only all records (-1) before 4.0"}
		}
		if m.Qid != LastQuery {
			return &VersionError{Message: name, Field: "qid", Version: caps.Version, Detail: "query ids need 4.0"}
		}
		enc.WriteStructHeader(tag, 0)
		return nil
	}
	if m.N == 0 || m.N < All {
		return &InvalidRequestError{Message: name, Field: "n", Detail: strconv.FormatInt(m.N, 10) + " is neither positive nor -1 (all)"}
	}
	if m.Qid < LastQuery {
		return &InvalidRequestError{Message: name, Field: "qid", Detail: strconv.FormatInt(m.Qid, 10) + " is neither a query id nor -1 (last)"}
	}
	enc.WriteStructHeader(tag, 1)
	if m.Qid == LastQuery {
		enc.WriteMapHeader(1)
	} else {
		enc.WriteMapHeader(2)
	}
	enc.WriteString("n")
	enc.WriteInt(m.N)
	if m.Qid != LastQuery {
		enc.WriteString("qid")
		enc.WriteInt(m.Qid)
	}
	return nil
}

// decode reads PULL, or DISCARD (whose fields are the same).
func (m *Pull) decode(r *fieldReader, caps *Capabilities, fields int) error {
	if !caps.PullN {
		m.N, m.Qid = All, LastQuery
		return wantFields(r, fields, 0)
	}
	if err := wantFields(r, fields, 1); err != nil {
		return err
	}
	m.Qid = LastQuery
	haveN := false
	err := eachEntry(r, "extra", func(key []byte) (err error) {
		switch string(key) {
		case "n":
			m.N, haveN, err = r.integer("n", false)
		case "qid":
			var present bool
			if m.Qid, present, err = r.integer("qid", true); err == nil && !present {
				m.Qid = LastQuery
			}
		default:
			return r.unknownKey("extra", string(key), caps.Version)
		}
		return err
	})
	if err != nil {
		return err
	}
	if !haveN {
		return r.fail("n", r.d.Offset(), "missing (it has no default)", nil)
	}
	return nil
}

// encode writes DISCARD as a Pull with its own tag: the two messages have
// the same fields (and decode likewise).
func (m *Discard) encode(enc *packstream.Encoder, caps *Capabilities, tag byte) error {
	return (*Pull)(m).encode(enc, caps, tag)
}

func (m *Discard) decode(r *fieldReader, caps *Capabilities, fields int) error {
	return (*Pull)(m).decode(r, caps, fields)
}
