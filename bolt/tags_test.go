package bolt

import "testing"

func TestMessageNameFollowsVersion(t *testing.T) {
	cases := []struct {
		tag  byte
		v    Version
		want string
	}{
		{TagHello, Version{2, 0}, "INIT"},
		{TagHello, V3_0, "HELLO"},
		{TagPull, V3_0, "PULL_ALL"},
		{TagPull, V4_0, "PULL"},
		{TagDiscard, V3_0, "DISCARD_ALL"},
		{TagDiscard, V5_8, "DISCARD"},
		{TagRoute, V4_4, "ROUTE"},
		{TagFailure, V6_1, "FAILURE"},
		{0x99, V5_0, ""},
	}
	for _, c := range cases {
		if got := MessageName(c.tag, c.v); got != c.want {
			t.Errorf("MessageName(%#x, %v) = %q, want %q", c.tag, c.v, got, c.want)
		}
	}
}

func TestTagByNameInvertsMessageName(t *testing.T) {
	for tag := 0; tag < 256; tag++ {
		for _, v := range append([]Version{{1, 0}, {2, 0}}, SupportedVersions...) {
			name := MessageName(byte(tag), v)
			if name == "" {
				continue
			}
			got, ok := TagByName(name)
			if !ok || got != byte(tag) {
				t.Errorf("TagByName(%q) = %#x, %v; want %#x", name, got, ok, tag)
			}
		}
	}
	if _, ok := TagByName("NOPE"); ok {
		t.Error("TagByName accepted an unknown name")
	}
}

func TestVersionOrder(t *testing.T) {
	if !V4_4.Less(V5_0) || V5_0.Less(V4_4) || !V5_8.AtLeast(V5_8) || V3_0.AtLeast(V4_0) {
		t.Fatal("version ordering is wrong")
	}
	if V5_8.String() != "5.8" {
		t.Fatalf("String() = %q", V5_8.String())
	}
	for i := 1; i < len(SupportedVersions); i++ {
		if !SupportedVersions[i].Less(SupportedVersions[i-1]) {
			t.Fatalf("SupportedVersions not newest first at %d", i)
		}
	}
	if !IsSupported(V4_2) || IsSupported(Version{5, 9}) {
		t.Fatal("IsSupported is wrong")
	}
}
