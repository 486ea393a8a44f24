package boltrx

import "slices"

// NotificationMinimumSeverityLevel is the lowest severity of notifications
// the server should send (Config.NotificationsMinSeverity,
// SessionConfig.NotificationsMinSeverity). Filtering needs Bolt 5.2+.
type NotificationMinimumSeverityLevel string

// The minimum severity levels.
const (
	DefaultLevel     NotificationMinimumSeverityLevel = ""            // the server's setting
	DisabledLevel    NotificationMinimumSeverityLevel = "OFF"         // no notifications at all
	WarningLevel     NotificationMinimumSeverityLevel = "WARNING"     // warnings only
	InformationLevel NotificationMinimumSeverityLevel = "INFORMATION" // warnings and information
)

// valid reports whether l is one of the levels above.
func (l NotificationMinimumSeverityLevel) valid() bool {
	switch l {
	case DefaultLevel, DisabledLevel, WarningLevel, InformationLevel:
		return true
	}
	return false
}

// NotificationSeverity is the severity of a notification the server sent.
type NotificationSeverity string

// The notification severities.
const (
	Warning         NotificationSeverity = "WARNING"
	Information     NotificationSeverity = "INFORMATION"
	UnknownSeverity NotificationSeverity = "UNKNOWN" // a value this driver does not know; see the Raw accessors
)

// severityOf maps the server's string to a NotificationSeverity.
func severityOf(raw string) NotificationSeverity {
	switch s := NotificationSeverity(raw); s {
	case Warning, Information:
		return s
	}
	return UnknownSeverity
}

// NotificationCategory groups notifications by what they are about. The
// same values classify GQL status objects (NotificationClassification)
// and are used to disable notifications.
type NotificationCategory string

// NotificationClassification is the GQL name of NotificationCategory.
type NotificationClassification = NotificationCategory

// The notification categories.
const (
	Hint            NotificationCategory = "HINT"         // the query cannot follow a hint
	Unrecognized    NotificationCategory = "UNRECOGNIZED" // unknown label, property, ...
	Unsupported     NotificationCategory = "UNSUPPORTED"  // an unsupported or experimental feature
	Performance     NotificationCategory = "PERFORMANCE"  // a query that may run slowly
	Deprecation     NotificationCategory = "DEPRECATION"  // a deprecated feature
	Generic         NotificationCategory = "GENERIC"      // anything else
	Security        NotificationCategory = "SECURITY"     // Neo4j 5.14+
	Topology        NotificationCategory = "TOPOLOGY"     // Neo4j 5.14+
	Schema          NotificationCategory = "SCHEMA"       // Neo4j 5.17+
	UnknownCategory NotificationCategory = "UNKNOWN"      // a value this driver does not know; see the Raw accessors
)

// categoryOf maps the server's string to a NotificationCategory.
func categoryOf(raw string) NotificationCategory {
	switch c := NotificationCategory(raw); c {
	case Hint, Unrecognized, Unsupported, Performance, Deprecation, Generic, Security, Topology, Schema:
		return c
	}
	return UnknownCategory
}

// NotificationDisabledClassifications says which classifications of
// notifications the server should not send (Bolt 5.2+). The zero value
// keeps the server's setting; build other values with
// DisableClassifications or DisableNoClassifications.
type NotificationDisabledClassifications struct {
	classifications []NotificationClassification
	none            bool
}

// DisableClassifications disables the given classifications.
func DisableClassifications(classifications ...NotificationClassification) NotificationDisabledClassifications {
	return NotificationDisabledClassifications{classifications: slices.Clone(classifications)}
}

// DisableNoClassifications enables every classification, overriding a
// server setting that disables some.
func DisableNoClassifications() NotificationDisabledClassifications {
	return NotificationDisabledClassifications{none: true}
}

// DisablesNone reports whether the value enables every classification.
func (n NotificationDisabledClassifications) DisablesNone() bool { return n.none }

// DisabledClassifications returns the disabled classifications.
func (n NotificationDisabledClassifications) DisabledClassifications() []NotificationClassification {
	return slices.Clone(n.classifications)
}

// wireValue returns the list to send as notifications_disabled_classifications
// and whether to send it at all: an empty list for DisableNoClassifications,
// nothing for the zero value.
func (n NotificationDisabledClassifications) wireValue() ([]string, bool) {
	if n.none {
		return []string{}, true
	}
	if len(n.classifications) == 0 {
		return nil, false
	}
	out := make([]string, len(n.classifications))
	for i, c := range n.classifications {
		out[i] = string(c)
	}
	return out, true
}

// isSet reports whether the value differs from the server's setting.
func (n NotificationDisabledClassifications) isSet() bool {
	_, set := n.wireValue()
	return set
}

// disabledClassifications returns the notifications_disabled_* list to
// send: nil when nothing is configured.
func disabledClassifications(n NotificationDisabledClassifications) []string {
	list, set := n.wireValue()
	if !set {
		return nil
	}
	return list
}
