pub mod import;
pub mod migration;
pub mod model;
pub mod qr;
