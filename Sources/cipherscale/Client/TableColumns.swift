/// The columns a client command shows for one kind of item: their headers and how a row reads.
struct TableColumns<Item> {
    var headers: [String]
    var row: (Item) -> [String]
}
