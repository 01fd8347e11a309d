package filter

// Equal is equal, for the fuzz tests: whether two expressions are the same
// tree.
var Equal = equal
