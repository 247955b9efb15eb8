// Package emit holds what every writer shares: the options a destination profile is chosen
// with, the conversion of typed target objects into the unstructured form that is printed and
// applied, canonical ordering, and stable generated names.
package emit
