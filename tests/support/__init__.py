"""What the tests share: the catalogue of nodes and graphs, file recipes, the reference runners."""
