package boltrx

import (
	"slices"
	"testing"
)

func TestNotificationDisabledClassificationsWireValue(t *testing.T) {
	cases := []struct {
		name     string
		value    NotificationDisabledClassifications
		wantList []string
		wantSend bool
	}{
		{"zero keeps the server's setting", NotificationDisabledClassifications{}, nil, false},
		{"no arguments keeps the server's setting", DisableClassifications(), nil, false},
		{"none disabled sends an empty list", DisableNoClassifications(), []string{}, true},
		{"some", DisableClassifications(Hint, Generic), []string{"HINT", "GENERIC"}, true},
	}
	for _, c := range cases {
		list, send := c.value.wireValue()
		if send != c.wantSend || !slices.Equal(list, c.wantList) || (c.wantList != nil && list == nil) {
			t.Errorf("%s: wireValue = %#v, %v; want %#v, %v", c.name, list, send, c.wantList, c.wantSend)
		}
		if c.value.isSet() != c.wantSend {
			t.Errorf("%s: isSet = %v", c.name, c.value.isSet())
		}
	}
	in := []NotificationClassification{Performance}
	v := DisableClassifications(in...)
	in[0] = Hint
	if got := v.DisabledClassifications(); !slices.Equal(got, []NotificationClassification{Performance}) || v.DisablesNone() {
		t.Fatalf("DisableClassifications kept the caller's slice: %v", got)
	}
	if !DisableNoClassifications().DisablesNone() {
		t.Fatal("DisablesNone")
	}
}

func TestSeverityAndCategoryMapping(t *testing.T) {
	for raw, want := range map[string]NotificationSeverity{"WARNING": Warning, "INFORMATION": Information, "": UnknownSeverity, "warning": UnknownSeverity} {
		if got := severityOf(raw); got != want {
			t.Errorf("severityOf(%q) = %q, want %q", raw, got, want)
		}
	}
	for _, c := range []NotificationCategory{Hint, Unrecognized, Unsupported, Performance, Deprecation, Generic, Security, Topology, Schema} {
		if got := categoryOf(string(c)); got != c {
			t.Errorf("categoryOf(%q) = %q", c, got)
		}
	}
	if categoryOf("QUANTUM") != UnknownCategory {
		t.Error("unknown category not mapped to UnknownCategory")
	}
	for _, l := range []NotificationMinimumSeverityLevel{DefaultLevel, DisabledLevel, WarningLevel, InformationLevel} {
		if !l.valid() {
			t.Errorf("%q not valid", l)
		}
	}
	if NotificationMinimumSeverityLevel("warning").valid() {
		t.Error("lower-case level accepted")
	}
}
