package bolt

// checkNotifications reports notification filters that caps' version cannot
// carry in msg.
func checkNotifications(msg string, caps *Capabilities, minSeverity string, disabled []string) error {
	if caps.NotificationFilters {
		return nil
	}
	if minSeverity != "" {
		return &VersionError{Message: msg, Field: "notifications_minimum_severity", Version: caps.Version, Detail: "notification filters need 5.2"}
	}
	if disabled != nil {
		return &VersionError{Message: msg, Field: "notifications_disabled_categories", Version: caps.Version, Detail: "notification filters need 5.2"}
	}
	return nil
}

// writeNotifications writes the notification filters that are set, under
// the version's key for the disabled list.
func writeNotifications(d *dictWriter, caps *Capabilities, minSeverity string, disabled []string) {
	if minSeverity != "" {
		d.str("notifications_minimum_severity", minSeverity)
	}
	if disabled != nil {
		d.strings(caps.NotificationsDisabledField, disabled)
	}
}

// eachExtra reads the extra dictionary of HELLO, BEGIN or RUN: the
// notification filters of caps' version into minSeverity and disabled,
// every other key k with entry.
func eachExtra(r *fieldReader, caps *Capabilities, minSeverity *string, disabled *[]string, entry func(k string) error) error {
	return eachEntry(r, "extra", func(key []byte) (err error) {
		k := string(key)
		switch {
		case !caps.NotificationFilters:
		case k == "notifications_minimum_severity":
			*minSeverity, err = r.str(k, true)
			return err
		case k == caps.NotificationsDisabledField:
			*disabled, err = r.strings(k, true)
			return err
		}
		return entry(k)
	})
}
