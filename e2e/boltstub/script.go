package boltstub

import (
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// Script is a parsed stub script: handshake settings, the conversations of
// the connections it expects, and the messages allowed at any time. It is
// immutable and may serve several servers at once.
type Script struct {
	sections   []*section
	concurrent bool // connections run at the same time instead of one after another
}

// handshakeMode is what the server does with the client's handshake.
type handshakeMode int

const (
	handshakeNormal handshakeMode = iota // negotiate a version
	handshakeReject                      // answer 00 00 00 00 and close
	handshakeHTTP                        // answer like an HTTP server and close
	handshakeRaw                         // answer with the script's bytes, then go on
)

// settings are the handshake and connection settings; the script head sets
// the defaults, a connection section may override them.
type settings struct {
	versions       []bolt.Version
	manifest       bool
	capabilities   uint64
	agent          string
	utcPatch       bool
	handshake      handshakeMode
	handshakeBytes []byte
	handshakeDelay time.Duration
}

// section is the conversation of connections first..last (last < 0: every
// connection from first on).
type section struct {
	line     int
	first    int
	last     int
	settings settings
	anytime  []*anytimeBlock
	body     []stmt
	nullable bool // the conversation can end without any client message
}

// covers reports whether connection n runs this section.
func (s *section) covers(n int) bool {
	return n >= s.first && (s.last < 0 || n <= s.last)
}

// required reports whether connection n of this section must arrive for
// the script to be complete: every connection of a closed range, none of
// an open one ("connections A+"), and none whose conversation is optional.
func (s *section) required(n int) bool {
	return s.covers(n) && s.last >= 0 && !s.nullable
}

// stmt is one statement of a conversation.
type stmt interface {
	stmtLine() int
}

// clientLine is "C: NAME fields": a message the client must send.
type clientLine struct {
	line int
	text string // the statement as written, for reports
	msg  *messagePattern
}

// serverLine is "S: NAME fields": a message the server sends.
type serverLine struct {
	line int
	text string
	msg  *messagePattern
}

// actionKind is what an action statement does.
type actionKind int

const (
	actClose       actionKind = iota // close the connection
	actExpectClose                   // wait for the client to close the connection
	actSleep                         // pause (after sending what is buffered)
	actStall                         // stop answering until the connection closes
	actNoop                          // send a NOOP chunk
	actRaw                           // send bytes as they are
)

// action is a server action other than sending a message.
type action struct {
	line int
	kind actionKind
	dur  time.Duration
	raw  []byte
	text string
}

// optionalBlock runs its body when the next client message starts it.
type optionalBlock struct {
	line  int
	body  []stmt
	first []*clientLine
}

// repeatBlock runs its body between min and max times (max < 0: no limit),
// another time whenever the next client message starts it.
type repeatBlock struct {
	line     int
	body     []stmt
	min, max int
	first    []*clientLine
	nullable bool // the body can complete without client messages
}

// eitherBlock runs the first branch the next client message starts.
type eitherBlock struct {
	line     int
	branches [][]stmt
	firsts   [][]*clientLine
	nullable []bool
}

// anytimeBlock runs whenever the client sends its trigger and the script
// does not expect that message at that point.
type anytimeBlock struct {
	line    int
	trigger *clientLine
	body    []stmt
}

func (s *clientLine) stmtLine() int    { return s.line }
func (s *serverLine) stmtLine() int    { return s.line }
func (s *action) stmtLine() int        { return s.line }
func (s *optionalBlock) stmtLine() int { return s.line }
func (s *repeatBlock) stmtLine() int   { return s.line }
func (s *eitherBlock) stmtLine() int   { return s.line }

// starts reports whether one of the client lines matches msg.
func starts(lines []*clientLine, msg *message, e *env) bool {
	for _, l := range lines {
		if l.matches(msg, e) {
			return true
		}
	}
	return false
}

// matches reports whether msg is what the line expects.
func (s *clientLine) matches(msg *message, e *env) bool {
	m := matcher{env: e, quiet: true}
	return s.msg.matchMessage(&m, msg)
}

// analyze computes what a statement list can start with: the client lines
// that may come first, and whether the list can complete without any
// client message (nullable). With needClientFirst set, a server action
// before the first client line is an error: blocks are entered on the
// client message that starts them, so they must start with one.
func analyze(stmts []stmt, needClientFirst bool, what string) ([]*clientLine, bool, error) {
	var first []*clientLine
	for _, st := range stmts {
		switch st := st.(type) {
		case *clientLine:
			return append(first, st), false, nil
		case *optionalBlock:
			first = append(first, st.first...)
		case *repeatBlock:
			first = append(first, st.first...)
			if st.min > 0 && !st.nullable {
				return first, false, nil
			}
		case *eitherBlock:
			nullable := false
			for i, f := range st.firsts {
				first = append(first, f...)
				nullable = nullable || st.nullable[i]
			}
			if !nullable {
				return first, false, nil
			}
		default:
			if needClientFirst {
				return nil, false, syntaxErrorf(st.stmtLine(), 0,
					"%s must begin with a client message (C: ...): the client's message decides whether it runs", what)
			}
		}
	}
	return first, true, nil
}

// endable reports whether a conversation may end before these statements:
// when the client closes the connection or the server closes it, the
// script is still complete if what is left is only optional blocks and
// the closing statements.
func endable(stmts []stmt) bool {
	for _, st := range stmts {
		if !stmtEndable(st) {
			return false
		}
	}
	return true
}

// stmtEndable reports whether a conversation may end before st.
func stmtEndable(st stmt) bool {
	switch st := st.(type) {
	case *optionalBlock:
		return true
	case *repeatBlock:
		return st.min == 0 || endable(st.body)
	case *eitherBlock:
		for _, b := range st.branches {
			if endable(b) {
				return true
			}
		}
		return false
	case *action:
		return st.kind == actClose || st.kind == actExpectClose || st.kind == actStall
	}
	return false
}
