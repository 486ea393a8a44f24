package bolt

// Message tags: the structure signature byte that opens every Bolt message.
const (
	TagHello      byte = 0x01 // HELLO (3.0+); INIT on Bolt 1 and 2
	TagGoodbye    byte = 0x02
	TagAckFailure byte = 0x0E // Bolt 1 and 2 only
	TagReset      byte = 0x0F
	TagRun        byte = 0x10
	TagBegin      byte = 0x11
	TagCommit     byte = 0x12
	TagRollback   byte = 0x13
	TagDiscard    byte = 0x2F // DISCARD (4.0+); DISCARD_ALL before
	TagPull       byte = 0x3F // PULL (4.0+); PULL_ALL before
	TagTelemetry  byte = 0x54
	TagRoute      byte = 0x66
	TagLogon      byte = 0x6A
	TagLogoff     byte = 0x6B

	TagSuccess byte = 0x70
	TagRecord  byte = 0x71
	TagIgnored byte = 0x7E
	TagFailure byte = 0x7F
)

// MessageName returns the name the specification gives the message with
// this tag on protocol version v, for example "PULL_ALL" for TagPull on 3.0,
// or "" for a tag that is no Bolt message.
func MessageName(tag byte, v Version) string {
	legacy := v.Major > 0 && v.Major < 3
	beforePullN := v.Major > 0 && v.Major < 4
	switch tag {
	case TagHello:
		if legacy {
			return "INIT"
		}
		return "HELLO"
	case TagGoodbye:
		return "GOODBYE"
	case TagAckFailure:
		return "ACK_FAILURE"
	case TagReset:
		return "RESET"
	case TagRun:
		return "RUN"
	case TagBegin:
		return "BEGIN"
	case TagCommit:
		return "COMMIT"
	case TagRollback:
		return "ROLLBACK"
	case TagDiscard:
		if beforePullN {
			return "DISCARD_ALL"
		}
		return "DISCARD"
	case TagPull:
		if beforePullN {
			return "PULL_ALL"
		}
		return "PULL"
	case TagTelemetry:
		return "TELEMETRY"
	case TagRoute:
		return "ROUTE"
	case TagLogon:
		return "LOGON"
	case TagLogoff:
		return "LOGOFF"
	case TagSuccess:
		return "SUCCESS"
	case TagRecord:
		return "RECORD"
	case TagIgnored:
		return "IGNORED"
	case TagFailure:
		return "FAILURE"
	}
	return ""
}

// TagByName returns the tag of a message name as MessageName spells it
// ("PULL" and "PULL_ALL" both give TagPull), and false for an unknown name.
func TagByName(name string) (byte, bool) {
	switch name {
	case "HELLO", "INIT":
		return TagHello, true
	case "GOODBYE":
		return TagGoodbye, true
	case "ACK_FAILURE":
		return TagAckFailure, true
	case "RESET":
		return TagReset, true
	case "RUN":
		return TagRun, true
	case "BEGIN":
		return TagBegin, true
	case "COMMIT":
		return TagCommit, true
	case "ROLLBACK":
		return TagRollback, true
	case "DISCARD", "DISCARD_ALL":
		return TagDiscard, true
	case "PULL", "PULL_ALL":
		return TagPull, true
	case "TELEMETRY":
		return TagTelemetry, true
	case "ROUTE":
		return TagRoute, true
	case "LOGON":
		return TagLogon, true
	case "LOGOFF":
		return TagLogoff, true
	case "SUCCESS":
		return TagSuccess, true
	case "RECORD":
		return TagRecord, true
	case "IGNORED":
		return TagIgnored, true
	case "FAILURE":
		return TagFailure, true
	}
	return 0, false
}
