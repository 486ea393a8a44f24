package clock

import (
	"testing"
	"time"
)

func TestFakeStandsStillUntilAdvanced(t *testing.T) {
	f := Install()
	defer Uninstall()
	start := Now()
	if !start.Equal(f.Now()) {
		t.Fatalf("Now %v, fake %v", start, f.Now())
	}
	f.Advance(90 * time.Minute)
	if got := Since(start); got != 90*time.Minute {
		t.Fatalf("Since = %v, want 90m", got)
	}
	Uninstall()
	if d := time.Since(Now()); d < 0 || d > time.Minute {
		t.Fatalf("after Uninstall Now is %v off the real clock", d)
	}
}
