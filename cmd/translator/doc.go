// Command translator converts Istio routing and access policy into the objects of another
// mesh (Gateway API, SMI, …), from files (translator convert) or continuously in a cluster
// (translator run). This package is wiring only: the translation lives in package translate.
package main
