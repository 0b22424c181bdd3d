pub mod model;
pub mod import;
