package v1alpha1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Mode says where RBAC is enforced. The empty value is OFF, as in the proto.
type Mode string

// Modes, as rbac.proto numbered them.
const (
	ModeOff             Mode = "OFF"
	ModeOn              Mode = "ON"
	ModeOnWithInclusion Mode = "ON_WITH_INCLUSION"
	ModeOnWithExclusion Mode = "ON_WITH_EXCLUSION"
)

var modes = []Mode{ModeOff, ModeOn, ModeOnWithInclusion, ModeOnWithExclusion}

// OrDefault returns OFF for the empty mode.
func (m Mode) OrDefault() Mode {
	if m == "" {
		return ModeOff
	}
	return m
}

// UnmarshalJSON accepts a mode name or number. A boolean means the YAML held an unquoted ON
// or OFF, which YAML 1.1 reads as true or false; that is an error, not a mode.
func (m *Mode) UnmarshalJSON(b []byte) error {
	v, err := unmarshalEnum(b, "mode", modes)
	*m = v
	return err
}

// EnforcementMode says whether bindings are enforced or only logged. The empty value is
// ENFORCED, as in the proto.
type EnforcementMode string

// Enforcement modes, as rbac.proto numbered them.
const (
	Enforced   EnforcementMode = "ENFORCED"
	Permissive EnforcementMode = "PERMISSIVE"
)

var enforcementModes = []EnforcementMode{Enforced, Permissive}

// OrDefault returns ENFORCED for the empty mode.
func (m EnforcementMode) OrDefault() EnforcementMode {
	if m == "" {
		return Enforced
	}
	return m
}

// UnmarshalJSON accepts an enforcement mode name or number.
func (m *EnforcementMode) UnmarshalJSON(b []byte) error {
	v, err := unmarshalEnum(b, "enforcement mode", enforcementModes)
	*m = v
	return err
}

// unmarshalEnum reads a proto enum the way jsonpb did: by name or by number.
func unmarshalEnum[T ~string](b []byte, what string, values []T) (T, error) {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		return "", nil
	case bytes.Equal(b, []byte("true")), bytes.Equal(b, []byte("false")):
		return "", fmt.Errorf("%s is the boolean %s: an unquoted ON or OFF is a YAML boolean, write 'ON' or 'OFF' in quotes", what, b)
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		for _, v := range values {
			if string(v) == s {
				return v, nil
			}
		}
		return "", fmt.Errorf("unknown %s %q (want one of %v)", what, s, values)
	}
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 || n >= len(values) {
		return "", fmt.Errorf("unknown %s %s (want one of %v or their numbers 0-%d)", what, b, values, len(values)-1)
	}
	return values[n], nil
}
