package boltrx

import (
	"testing"

	"github.com/boltrx/boltrx/bolt"
)

func TestQueryProfileIsProfile(t *testing.T) {
	s := newResultSummary(summaryInput{End: &bolt.Success{Profile: map[string]any{
		"operatorType": "ProduceResults", "dbHits": int64(7), "rows": int64(2),
	}}})
	p := s.QueryProfile()
	if p == nil || p.Operator() != "ProduceResults" || p.DbHits() != 7 || p != s.Profile() {
		t.Fatalf("QueryProfile %+v, Profile %+v", p, s.Profile())
	}
	if newResultSummary(summaryInput{End: &bolt.Success{}}).QueryProfile() != nil {
		t.Fatal("a summary without a profile has a QueryProfile")
	}
}
