package v1alpha1

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// UnmarshalJSON accepts proto (not_paths) and JSON (notPaths) field names.
func (r *AccessRule) UnmarshalJSON(b []byte) error {
	type plain AccessRule
	return unmarshalNormalized(b, (*plain)(r))
}

// UnmarshalJSON accepts proto (role_ref) and JSON (roleRef) field names.
func (s *ServiceRoleBindingSpec) UnmarshalJSON(b []byte) error {
	type plain ServiceRoleBindingSpec
	return unmarshalNormalized(b, (*plain)(s))
}

// UnmarshalJSON accepts proto (not_names) and JSON (notNames) field names.
func (s *Subject) UnmarshalJSON(b []byte) error {
	type plain Subject
	return unmarshalNormalized(b, (*plain)(s))
}

// UnmarshalJSON accepts proto (enforcement_mode) and JSON (enforcementMode) field names.
func (s *RbacConfigSpec) UnmarshalJSON(b []byte) error {
	type plain RbacConfigSpec
	return unmarshalNormalized(b, (*plain)(s))
}

// unmarshalNormalized renames snake_case keys of one JSON object to lowerCamelCase, then
// decodes it into v (a type without this method, so that it does not recurse).
func unmarshalNormalized(b []byte, v any) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		val := raw[k]
		c := camel(k)
		if c == k {
			continue
		}
		if _, dup := raw[c]; dup {
			return fmt.Errorf("both %q and %q are set", k, c)
		}
		delete(raw, k)
		raw[c] = val
	}
	nb, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(nb, v)
}

// camel turns a proto field name (not_paths) into its JSON name (notPaths). Names without an
// underscore are returned unchanged.
func camel(s string) string {
	if !strings.Contains(s, "_") {
		return s
	}
	var b strings.Builder
	up := false
	for _, r := range s {
		switch {
		case r == '_':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
