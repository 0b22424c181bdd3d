//! The vault on disk (the storage layer): `keys` (unlocking, age
//! encryption), `store` (lock and atomic save), `index` (the fast read path
//! of `otp code`), `checked` (that path, checked against this machine's
//! record of the vault), `checked` (that path checked against this machine's record of the vault), `read` (whole files read with a cap) and `merge`, which folds two copies of one vault together
//! by account id (`otp sync`). The document itself, label identity and
//! QUERY resolution are pure and live in `model` (src/model/).

pub mod checked;
pub mod index;
pub mod keys;
pub mod merge;
pub mod read;
pub mod store;
