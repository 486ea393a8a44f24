package packstream

import (
	"errors"
	"sync"
	"time"
)

// maxCachedZones bounds each of the zone caches; names beyond it are still
// resolved, just not remembered.
const maxCachedZones = 1024

// zones caches time zone lookups by IANA name: loading a location reads
// the time zone database, far too slow to repeat for every value.
var zones = struct {
	sync.RWMutex
	known   map[string]*time.Location
	unknown map[string]error
}{known: map[string]*time.Location{}, unknown: map[string]error{}}

var errZoneNotNamed = errors.New(`not an IANA time zone name`)

// lookupZone returns the location named name (bytes of a decoded string,
// looked up without allocating when cached). "", "Local" and names the
// time zone database does not know are errors.
func lookupZone(name []byte) (*time.Location, error) {
	zones.RLock()
	loc, ok := zones.known[string(name)]
	var err error
	if !ok {
		err = zones.unknown[string(name)]
	}
	zones.RUnlock()
	if ok {
		return loc, nil
	}
	if err != nil {
		return nil, err
	}
	return loadZone(string(name))
}

// loadZone asks the time zone database and caches the answer.
func loadZone(name string) (*time.Location, error) {
	var loc *time.Location
	var err error
	if name == "" || name == "Local" {
		// time.LoadLocation maps these to UTC and the machine's zone,
		// neither of which is what a peer means by a zone id.
		err = errZoneNotNamed
	} else {
		loc, err = time.LoadLocation(name)
	}
	zones.Lock()
	if err == nil {
		if len(zones.known) < maxCachedZones {
			zones.known[name] = loc
		}
	} else if len(zones.unknown) < maxCachedZones {
		zones.unknown[name] = err
	}
	zones.Unlock()
	return loc, err
}

// namedZone reports whether loc should travel as a zone id: it does when
// its name is one the time zone database knows. UTC, Local and fixed
// zones (time.FixedZone, or any location whose name is not an IANA zone
// name) travel as offsets.
func namedZone(loc *time.Location) (string, bool) {
	if loc == nil || loc == time.UTC || loc == time.Local {
		return "", false
	}
	name := loc.String()
	if name == "" || name == "UTC" || name == "Local" {
		return "", false
	}
	zones.RLock()
	_, ok := zones.known[name]
	_, bad := zones.unknown[name]
	zones.RUnlock()
	if ok {
		return name, true
	}
	if bad {
		return "", false
	}
	_, err := loadZone(name)
	return name, err == nil
}

// fixedZone returns the location for a UTC offset in seconds: time.UTC for
// 0, otherwise an unnamed fixed zone (which the time package shares for
// whole hours).
func fixedZone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	return time.FixedZone("", offset)
}
