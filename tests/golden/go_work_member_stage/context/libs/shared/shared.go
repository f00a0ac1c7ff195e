package shared

const Name = "shared"
