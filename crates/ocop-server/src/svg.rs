//! SVG drawings of a definition's graph: its DOT laid out by `layout-rs` (pure Rust, no
//! Graphviz on the server).

use layout::backends::svg::SVGWriter;
use layout::gv::{DotParser, GraphBuilder};

/// Lays out `dot` and draws it as SVG.
pub(crate) fn render(dot: &str) -> Result<String, String> {
    let mut parser = DotParser::new(dot);
    let graph = parser.process()?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut svg = SVGWriter::new();
    visual.do_it(false, false, false, &mut svg);
    Ok(svg.finalize())
}
