package drivertest_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/cluster"
)

// Stamp is embedded in Member: its fields are Member's properties.
type Stamp struct {
	CreatedBy string `neo4j:"createdBy"`
}

// Member holds only what a node property can hold (Neo4j stores no maps
// and no lists of maps).
type Member struct {
	Name   string        `neo4j:"name"`
	Age    int32         `neo4j:"age"`
	Nick   *string       `neo4j:"nick"`
	Email  string        `neo4j:"email,omitempty"`
	Born   time.Time     `neo4j:"born"`
	Tags   []string      `neo4j:"tags"`
	Score  float64       // the Go name is the key
	Active bool          `neo4j:"active"`
	Wait   time.Duration `neo4j:"wait"`
	Where  boltrx.Point2D
	Ignore string `neo4j:"-"`
	Stamp
}

// TestStructRoundTripThroughTheCluster writes structs with SET p =
// $person and reads them back, whole (RETURN p) and by column (RETURN
// p.name AS name, ...), blocking, eager and reactive.
func TestStructRoundTripThroughTheCluster(t *testing.T) {
	c := cluster.StartT(t, cluster.Config{Members: 1})
	drv := clusterDriver(t, c)
	ctx := ctxT(t)
	nick := "jo"
	people := []Member{
		{Name: "Jo", Age: 41, Nick: &nick, Email: "jo@example.com", Born: time.Date(1984, 2, 3, 4, 5, 6, 0, time.UTC),
			Tags: []string{"a", "b"}, Score: 1.5, Active: true, Wait: 90 * time.Second,
			Where: boltrx.Point2D{SpatialRefId: 7203, X: 1, Y: 2}, Stamp: Stamp{CreatedBy: "test"}},
		{Name: "Al", Age: 7, Born: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), Tags: []string{},
			Where: boltrx.Point2D{SpatialRefId: 7203}, Stamp: Stamp{CreatedBy: "test"}},
	}
	sess, err := drv.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	for _, p := range people {
		withIgnored := p
		withIgnored.Ignore = "never stored"
		res, err := sess.Run(ctx, "CREATE (p:Person) SET p = $person RETURN p", map[string]any{"person": &withIgnored})
		if err != nil {
			t.Fatal(err)
		}
		back, err := boltrx.SingleAs[Member](ctx, res)
		if err != nil {
			t.Fatal(err)
		}
		assertSameMember(t, back, p)
	}

	// Column by column, case-insensitive names, in order.
	res, err := sess.Run(ctx, "MATCH (p:Person) RETURN p.name AS NAME, p.age AS age, p.nick AS nick, p.born AS born, "+
		"p.tags AS tags, p.Score AS score, p.active AS active, p.wait AS wait, p.Where AS `where`, p.createdBy AS createdBy "+
		"ORDER BY p.age DESC", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := boltrx.CollectAs[*Member](ctx, res)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d members", len(got))
	}
	for i := range got {
		want := people[i]
		want.Email = "" // not returned: omitempty lets it stay empty
		assertSameMember(t, *got[i], want)
	}

	eager, err := drv.ExecuteQuery(ctx, "MATCH (p:Person) RETURN p ORDER BY p.age", nil)
	if err != nil {
		t.Fatal(err)
	}
	all, err := boltrx.EagerAs[Member](eager)
	if err != nil || len(all) != 2 {
		t.Fatalf("EagerAs: %v, %v", all, err)
	}
	assertSameMember(t, all[0], people[1])

	names := []string{}
	rx := boltrx.RecordsAs[string](sess.RunRx(ctx, "MATCH (p:Person) RETURN p.name ORDER BY p.name", nil))
	for item := range rx.Observe(rxgo.WithContext(ctx)) {
		if item.E != nil {
			t.Fatal(item.E)
		}
		names = append(names, item.V.(string))
	}
	if !reflect.DeepEqual(names, []string{"Al", "Jo"}) {
		t.Errorf("names %v", names)
	}
}

func assertSameMember(t *testing.T, got, want Member) {
	t.Helper()
	if !got.Born.Equal(want.Born) {
		t.Errorf("born %v, want %v", got.Born, want.Born)
	}
	got.Born, want.Born = time.Time{}, time.Time{}
	if len(got.Tags) == 0 && len(want.Tags) == 0 {
		got.Tags, want.Tags = nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
}
