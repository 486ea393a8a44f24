package boltrx

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTemporalConstructors(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	in := time.Date(2024, 2, 29, 23, 30, 15, 123, berlin)

	if got := DateOf(in).Time(); !got.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) || got.Location() != time.UTC {
		t.Errorf("DateOf = %v", got)
	}
	if got := LocalTimeOf(in).Time(); !got.Equal(time.Date(1970, 1, 1, 23, 30, 15, 123, time.UTC)) {
		t.Errorf("LocalTimeOf = %v", got)
	}
	if got := LocalDateTimeOf(in).Time(); !got.Equal(time.Date(2024, 2, 29, 23, 30, 15, 123, time.UTC)) {
		t.Errorf("LocalDateTimeOf = %v", got)
	}
	got := OffsetTimeOf(in).Time()
	if _, offset := got.Zone(); offset != 3600 || got.Hour() != 23 || got.Minute() != 30 || got.Nanosecond() != 123 || got.Year() != 1970 {
		t.Errorf("OffsetTimeOf = %v", got)
	}
	if d := DurationOf(14, 3, 7, 1); d != (Duration{Months: 14, Days: 3, Seconds: 7, Nanos: 1}) {
		t.Errorf("DurationOf = %+v", d)
	}
}

func TestGetProperty(t *testing.T) {
	node := Node{Props: map[string]any{"name": "Alice", "born": int64(1990)}}
	rel := Relationship{Type: "KNOWS", Props: map[string]any{"since": int64(2001)}}
	if name, err := GetProperty[string](node, "name"); err != nil || name != "Alice" {
		t.Fatalf("name: %q %v", name, err)
	}
	if since, err := GetProperty[int64](rel, "since"); err != nil || since != 2001 {
		t.Fatalf("since: %d %v", since, err)
	}
	if _, err := GetProperty[string](node, "born"); err == nil || !strings.Contains(err.Error(), "int64") {
		t.Fatalf("wrong type: %v", err)
	}
	if _, err := GetProperty[string](rel, "nope"); err == nil {
		t.Fatal("missing property found")
	}
	if _, err := GetProperty[string](Node{}, "x"); err == nil {
		t.Fatal("property of a node without properties found")
	}
}

func TestValueHelpers(t *testing.T) {
	u, err := ParseUUID("123e4567-e89b-12d3-a456-426614174000")
	if err != nil || u.String() != "123e4567-e89b-12d3-a456-426614174000" {
		t.Fatalf("ParseUUID: %v %v", u, err)
	}
	if _, err := ParseUUID("nope"); err == nil {
		t.Fatal("ParseUUID accepted garbage")
	}
	src := []int8{1, 2, 3}
	v := NewVector(src...)
	src[0] = 9
	if v.Elems[0] != 1 || v.Len() != 3 {
		t.Fatalf("NewVector did not copy: %v", v.Elems)
	}
	var _ AnyVector = v
}

func TestBookmarkAliases(t *testing.T) {
	if got := CombineBookmarks(Bookmarks{"a", "b"}, []string{"b", "c"}); !slices.Equal(got, Bookmarks{"a", "b", "c"}) {
		t.Fatalf("CombineBookmarks = %v", got)
	}
	m := NewBookmarkManager(BookmarkManagerConfig{InitialBookmarks: Bookmarks{"x"}})
	if err := m.UpdateBookmarks(context.Background(), Bookmarks{"x"}, Bookmarks{"y"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.GetBookmarks(context.Background()); !slices.Equal(got, Bookmarks{"y"}) {
		t.Fatalf("GetBookmarks = %v", got)
	}
}
