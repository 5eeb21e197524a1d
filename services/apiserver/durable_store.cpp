#include "durable_store.hpp"

#include <stdexcept>

namespace ferrum::apiserver {

namespace {
std::string errmsg(sqlite3* db) { return db ? sqlite3_errmsg(db) : "out of memory"; }
}  // namespace

SqliteStore::SqliteStore(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = "cannot open database " + path + ": " + errmsg(db_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss.
  exec("PRAGMA synchronous=FULL");
  exec(
      "CREATE TABLE IF NOT EXISTS objects ("
      " resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,"
      " rv INTEGER NOT NULL, data TEXT NOT NULL,"
      " PRIMARY KEY (resource, namespace, name)) WITHOUT ROWID");
  exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
  exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('last_rv', 0)");
  auto prepare = [&](const char* sql, sqlite3_stmt** st) {
    if (sqlite3_prepare_v2(db_, sql, -1, st, nullptr) != SQLITE_OK) {
      throw std::runtime_error("database " + path_ + ": " + errmsg(db_));
    }
  };
  prepare("INSERT INTO objects (resource, namespace, name, rv, data) VALUES (?1, ?2, ?3, ?4, ?5)"
          " ON CONFLICT (resource, namespace, name) DO UPDATE SET rv = excluded.rv, data = excluded.data",
          &upsert_);
  prepare("DELETE FROM objects WHERE resource = ?1 AND namespace = ?2 AND name = ?3", &remove_);
  prepare("UPDATE meta SET value = ?1 WHERE key = 'last_rv'", &set_rv_);
}

SqliteStore::~SqliteStore() {
  sqlite3_finalize(upsert_);
  sqlite3_finalize(remove_);
  sqlite3_finalize(set_rv_);
  sqlite3_close(db_);
}

void SqliteStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = "database " + path_ + ": " + (err ? err : "error") + " (in: " + sql + ")";
    sqlite3_free(err);
    throw std::runtime_error(msg);
  }
}

std::vector<StoredRow> SqliteStore::load() {
  std::vector<StoredRow> rows;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT resource, namespace, name, rv, data FROM objects", -1, &st, nullptr) !=
      SQLITE_OK) {
    throw std::runtime_error("database " + path_ + ": " + errmsg(db_));
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    auto text = [&](int i) {
      auto p = sqlite3_column_text(st, i);
      return std::string(p ? reinterpret_cast<const char*>(p) : "", sqlite3_column_bytes(st, i));
    };
    rows.push_back({text(0), text(1), text(2), static_cast<std::uint64_t>(sqlite3_column_int64(st, 3)), text(4)});
  }
  sqlite3_finalize(st);
  return rows;
}

std::uint64_t SqliteStore::last_rv() {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = 'last_rv'", -1, &st, nullptr);
  std::uint64_t rv = 0;
  if (st && sqlite3_step(st) == SQLITE_ROW) rv = static_cast<std::uint64_t>(sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  return rv;
}

void SqliteStore::commit(const std::vector<RowWrite>& batch, std::uint64_t last_rv) {
  exec("BEGIN IMMEDIATE");
  auto fail = [&](const std::string& what) {
    std::string msg = "database " + path_ + ": " + what + ": " + errmsg(db_);
    char* ignored = nullptr;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, &ignored);
    sqlite3_free(ignored);
    throw std::runtime_error(msg);
  };
  for (const auto& w : batch) {
    sqlite3_stmt* st = w.data ? upsert_ : remove_;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, w.resource.data(), static_cast<int>(w.resource.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, w.ns.data(), static_cast<int>(w.ns.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 3, w.name.data(), static_cast<int>(w.name.size()), SQLITE_STATIC);
    if (w.data) {
      sqlite3_bind_int64(st, 4, static_cast<sqlite3_int64>(w.rv));
      sqlite3_bind_text(st, 5, w.data->data(), static_cast<int>(w.data->size()), SQLITE_STATIC);
    }
    if (sqlite3_step(st) != SQLITE_DONE) fail("write " + w.resource + " " + w.name);
  }
  sqlite3_reset(set_rv_);
  sqlite3_bind_int64(set_rv_, 1, static_cast<sqlite3_int64>(last_rv));
  if (sqlite3_step(set_rv_) != SQLITE_DONE) fail("write last_rv");
  char* err = nullptr;
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    fail("commit");
  }
}

std::string SqliteStore::integrity_check() {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &st, nullptr);
  std::string out;
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    auto p = sqlite3_column_text(st, 0);
    if (!out.empty()) out += "\n";
    out += p ? reinterpret_cast<const char*>(p) : "";
  }
  sqlite3_finalize(st);
  return out;
}

}  // namespace ferrum::apiserver
