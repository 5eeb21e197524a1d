#pragma once
// Durable storage of objects: the narrow interface the in-memory store commits through, and
// its SQLite implementation (WAL, synchronous=FULL: a batch is on disk when commit returns).

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferrum::apiserver {

struct StoredRow {
  std::string resource;  // ResourceType::key()
  std::string ns;
  std::string name;
  std::uint64_t rv = 0;
  std::string data;  // the object's JSON, storage version
};

struct RowWrite {
  std::string resource;
  std::string ns;
  std::string name;
  std::uint64_t rv = 0;
  std::optional<std::string> data;  // nullopt deletes the row
};

class DurableStore {
 public:
  virtual ~DurableStore() = default;
  virtual std::vector<StoredRow> load() = 0;
  virtual std::uint64_t last_rv() = 0;
  // Writes the batch and the new last resourceVersion atomically and durably; throws
  // std::runtime_error when the disk refuses (the caller cannot continue after that).
  virtual void commit(const std::vector<RowWrite>& batch, std::uint64_t last_rv) = 0;
  // "ok" when PRAGMA integrity_check passes, else its report.
  virtual std::string integrity_check() = 0;
};

class SqliteStore final : public DurableStore {
 public:
  // Opens or creates the database; throws std::runtime_error naming the path on failure.
  explicit SqliteStore(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  std::vector<StoredRow> load() override;
  std::uint64_t last_rv() override;
  void commit(const std::vector<RowWrite>& batch, std::uint64_t last_rv) override;
  std::string integrity_check() override;

 private:
  void exec(const char* sql);
  sqlite3* db_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* remove_ = nullptr;
  sqlite3_stmt* set_rv_ = nullptr;
  std::string path_;
};

}  // namespace ferrum::apiserver
