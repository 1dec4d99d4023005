// The pool file's "hald" access rules: who may attach to which virtual
// device, read the status and run native kernels, and every malformed rule
// refused with its place named.
#include "daemon/access_policy.h"

#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_folder.h"

namespace hal::daemon {
namespace {

using ::testing::HasSubstr;

// Ids no test host gives root or the test's own user (checked in SetUp).
constexpr uint32_t kStranger = 4321;
constexpr uint32_t kNobody = 65534;  // Debian's "nobody", primary group "nogroup" (65534)
// sha256("s3cret") and sha256("").
constexpr char kSecretDigest[] = "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";
constexpr char kEmptyDigest[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

PeerIdentity UnixPeer(uint32_t uid, uint32_t gid = 0) {
  return {.unix_socket = true, .uid = uid, .gid = gid, .pid = 42, .token = "", .name = "test",
          .in_daemon_pid_namespace = true, .scope = std::nullopt};
}

PeerIdentity TcpPeer(std::string token) {
  return {.unix_socket = false, .uid = 0, .gid = 0, .pid = 0, .token = std::move(token),
          .name = "tcp 127.0.0.1:1", .in_daemon_pid_namespace = false, .scope = std::nullopt};
}

class AccessPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(geteuid(), kStranger);
    ASSERT_NE(geteuid(), kNobody);
  }
  // A pool file defining virtual devices "a" and "b" with `hald` as its
  // "hald" object ("" for none).
  absl::StatusOr<AccessPolicy> Load(const std::string& hald) {
    std::string text = R"({"pool": {"devices": ["cpu"]},
        "virtual_devices": [{"name": "a", "memory_quota": 1024},
                            {"name": "b", "memory_quota": 1024}])";
    if (!hald.empty()) absl::StrAppend(&text, R"(, "hald": )", hald);
    absl::StrAppend(&text, "}");
    path_ = folder_.Write("pool.json", text);
    return AccessPolicy::FromPoolFile(path_);
  }
  testing::TestFolder folder_;
  std::string path_;
};

TEST_F(AccessPolicyTest, WithoutRulesOnlyRootAndTheDaemonsUserOnTheUnixSocketMayDoAnything) {
  const auto policy = Load("");
  ASSERT_TRUE(policy.ok()) << policy.status();
  for (uint32_t uid : {0u, static_cast<uint32_t>(geteuid())}) {
    EXPECT_TRUE(policy->MayAttach(UnixPeer(uid), "a")) << uid;
    EXPECT_TRUE(policy->MayAttach(UnixPeer(uid), "b")) << uid;
    EXPECT_TRUE(policy->MayReadStatus(UnixPeer(uid))) << uid;
  }
  EXPECT_FALSE(policy->MayAttach(UnixPeer(kStranger), "a"));
  EXPECT_FALSE(policy->MayReadStatus(UnixPeer(kStranger)));
  // Over TCP there are no credentials: uid 0 there is no one.
  EXPECT_FALSE(policy->MayAttach(TcpPeer(""), "a"));
  EXPECT_FALSE(policy->MayReadStatus(TcpPeer("")));
  EXPECT_FALSE(policy->AllowsNativeKernels("a"));
}

TEST_F(AccessPolicyTest, UsersAndUidsMayAttachToTheirVirtualDevicesOnlyOverTheUnixSocket) {
  const auto policy = Load(absl::StrCat(R"({"access": [{"virtual_devices": ["a"], "users": ["nobody"],
                                             "uids": [)",
                            kStranger, "]}]}"));
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->MayAttach(UnixPeer(kNobody), "a"));
  EXPECT_TRUE(policy->MayAttach(UnixPeer(kStranger), "a"));
  EXPECT_FALSE(policy->MayAttach(UnixPeer(kStranger), "b"));
  EXPECT_FALSE(policy->MayAttach(UnixPeer(kStranger + 1), "a"));
  EXPECT_FALSE(policy->MayAttach(UnixPeer(kStranger), "no-such-device"));
  EXPECT_FALSE(policy->MayReadStatus(UnixPeer(kStranger)));  // not granted "status"
  PeerIdentity tcp = TcpPeer("");
  tcp.uid = kStranger;  // not SO_PEERCRED's word
  EXPECT_FALSE(policy->MayAttach(tcp, "a"));
}

TEST_F(AccessPolicyTest, GroupsMatchThePeersGidItsUsersPrimaryGroupAndGidsListed) {
  const auto policy = Load(R"({"access": [
      {"virtual_devices": ["a"], "groups": ["nogroup"]},
      {"virtual_devices": ["b"], "gids": [4242]}]})");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->MayAttach(UnixPeer(kStranger, kNobody), "a"));
  // "nobody" has primary group nogroup in the user database.
  EXPECT_TRUE(policy->MayAttach(UnixPeer(kNobody, 777), "a"));
  EXPECT_FALSE(policy->MayAttach(UnixPeer(kStranger, 777), "a"));
  EXPECT_TRUE(policy->MayAttach(UnixPeer(kStranger, 4242), "b"));
  EXPECT_FALSE(policy->MayAttach(UnixPeer(kStranger, 4242), "a"));
}

TEST_F(AccessPolicyTest, TokensAreComparedByDigestOnEitherTransport) {
  const std::string upper_case = absl::AsciiStrToUpper(kSecretDigest);
  const auto policy = Load(absl::StrCat(
      R"({"access": [{"virtual_devices": "*", "tokens_sha256": [")", upper_case, R"(", ")",
      kEmptyDigest, R"("]}]})"));
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->MayAttach(TcpPeer("s3cret"), "a"));
  EXPECT_TRUE(policy->MayAttach(TcpPeer("s3cret"), "b"));
  PeerIdentity unix_peer = UnixPeer(kStranger);
  unix_peer.token = "s3cret";
  EXPECT_TRUE(policy->MayAttach(unix_peer, "a"));
  EXPECT_FALSE(policy->MayAttach(TcpPeer("s3cret "), "a"));
  EXPECT_FALSE(policy->MayAttach(TcpPeer("wrong"), "a"));
  // No token is no token, even where a rule lists the digest of "".
  EXPECT_FALSE(policy->MayAttach(TcpPeer(""), "a"));
  EXPECT_FALSE(policy->MayReadStatus(TcpPeer("s3cret")));
}

TEST_F(AccessPolicyTest, StatusIsGrantedByItsOwnFlag) {
  const auto policy = Load(absl::StrCat(
      R"({"access": [{"uids": [)", kStranger, R"(], "status": true},
                     {"tokens_sha256": [")", kSecretDigest, R"("], "status": true,
                      "virtual_devices": ["b"]}]})"));
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->MayReadStatus(UnixPeer(kStranger)));
  EXPECT_FALSE(policy->MayAttach(UnixPeer(kStranger), "a"));
  EXPECT_TRUE(policy->MayReadStatus(TcpPeer("s3cret")));
  EXPECT_TRUE(policy->MayAttach(TcpPeer("s3cret"), "b"));
  EXPECT_FALSE(policy->MayReadStatus(TcpPeer("other")));
}

TEST_F(AccessPolicyTest, AdminRequestsAreForOperatorsAndRulesThatGrantThem) {
  const auto policy = Load(absl::StrCat(
      R"({"access": [{"uids": [)", kStranger, R"(], "admin": true},
                     {"tokens_sha256": [")", kSecretDigest, R"("], "status": true}]})"));
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->MayAdminister(UnixPeer(0)));
  EXPECT_TRUE(policy->MayAdminister(UnixPeer(geteuid())));
  EXPECT_TRUE(policy->MayAdminister(UnixPeer(kStranger)));
  // The admin grant is its own: neither attaching nor the status.
  EXPECT_FALSE(policy->MayAttach(UnixPeer(kStranger), "a"));
  EXPECT_FALSE(policy->MayReadStatus(UnixPeer(kStranger)));
  EXPECT_FALSE(policy->MayAdminister(UnixPeer(kStranger + 1)));
  EXPECT_FALSE(policy->MayAdminister(TcpPeer("s3cret")));
  EXPECT_FALSE(policy->MayAdminister(TcpPeer("")));
}

// The daemon's grants for virtual devices its admin requests created: a
// token's digest and uids, for that virtual device only, beside the file's
// rules.
TEST_F(AccessPolicyTest, GrantsAddToTheFilesRules) {
  const auto file = Load(absl::StrCat(R"({"access": [{"uids": [)", kStranger,
                                      R"(], "virtual_devices": ["a"]}]})"));
  ASSERT_TRUE(file.ok()) << file.status();
  AccessPolicy::Rule grant;
  grant.token_digests.push_back(AccessPolicy::TokenDigest("job-token"));
  grant.uids.insert(kNobody);
  grant.virtual_devices.insert("job");
  const AccessPolicy policy = file->WithGrants({grant});
  EXPECT_TRUE(policy.MayAttach(TcpPeer("job-token"), "job"));
  EXPECT_TRUE(policy.MayAttach(UnixPeer(kNobody), "job"));
  EXPECT_FALSE(policy.MayAttach(TcpPeer("job-token"), "a"));
  EXPECT_FALSE(policy.MayAttach(TcpPeer("other"), "job"));
  EXPECT_FALSE(policy.MayReadStatus(TcpPeer("job-token")));
  EXPECT_FALSE(policy.MayAdminister(TcpPeer("job-token")));
  EXPECT_TRUE(policy.MayAttach(UnixPeer(kStranger), "a"));
  // The file's policy itself is unchanged.
  EXPECT_FALSE(file->MayAttach(TcpPeer("job-token"), "job"));
  EXPECT_EQ(AccessPolicy::TokenDigest("s3cret")[0], 0x1e);
}

// Root or the daemon's user is an operator only from hald's own PID
// namespace: root in a container without a user namespace is uid 0 too.
TEST_F(AccessPolicyTest, AnOperatorsUidFromAnotherPidNamespaceGetsOnlyWhatRulesGrant) {
  const auto policy =
      Load(R"({"access": [{"uids": [0], "virtual_devices": ["b"]}]})");
  ASSERT_TRUE(policy.ok()) << policy.status();
  for (uint32_t uid : {0u, static_cast<uint32_t>(geteuid())}) {
    PeerIdentity contained = UnixPeer(uid);
    contained.in_daemon_pid_namespace = false;
    EXPECT_FALSE(policy->MayAttach(contained, "a")) << uid;
    EXPECT_FALSE(policy->MayReadStatus(contained)) << uid;
    EXPECT_FALSE(policy->MayAdminister(contained)) << uid;
    // A rule naming the uid still counts.
    EXPECT_EQ(policy->MayAttach(contained, "b"), uid == 0) << uid;
  }
}

// A created virtual device's token scopes a peer to it, whatever its uid; a
// pool file token does not.
TEST_F(AccessPolicyTest, ACreatedVirtualDevicesTokenScopesThePeerToIt) {
  const auto file = Load(absl::StrCat(R"({"access": [{"tokens_sha256": [")", kSecretDigest,
                                      R"("], "virtual_devices": ["b"]}]})"));
  ASSERT_TRUE(file.ok()) << file.status();
  AccessPolicy::Rule grant;
  grant.token_digests.push_back(AccessPolicy::TokenDigest("job-token"));
  grant.virtual_devices.insert("job");
  const AccessPolicy policy = file->WithGrants({grant});

  PeerIdentity root = UnixPeer(0);
  root.token = "job-token";
  EXPECT_EQ(policy.ScopeOf(root), "job");
  root.scope = policy.ScopeOf(root);
  EXPECT_TRUE(policy.MayAttach(root, "job"));
  EXPECT_FALSE(policy.MayAttach(root, "a"));
  EXPECT_FALSE(policy.MayReadStatus(root));
  EXPECT_FALSE(policy.MayAdminister(root));
  // Its virtual device destroyed (the grant gone): nothing at all.
  EXPECT_FALSE(file->MayAttach(root, "job"));
  EXPECT_FALSE(file->MayAttach(root, "a"));

  PeerIdentity file_token = UnixPeer(0);
  file_token.token = "s3cret";
  EXPECT_EQ(policy.ScopeOf(file_token), std::nullopt);
  EXPECT_TRUE(policy.MayAttach(file_token, "a"));
  EXPECT_TRUE(policy.MayAdminister(file_token));
  EXPECT_EQ(policy.ScopeOf(UnixPeer(0)), std::nullopt);
  EXPECT_EQ(policy.ScopeOf(TcpPeer("other")), std::nullopt);
}

TEST_F(AccessPolicyTest, NativeKernelsOnlyWhereTheFileAllowsThem) {
  const auto some = Load(R"({"native_kernels": ["b"]})");
  ASSERT_TRUE(some.ok()) << some.status();
  EXPECT_FALSE(some->AllowsNativeKernels("a"));
  EXPECT_TRUE(some->AllowsNativeKernels("b"));
  const auto all = Load(R"({"native_kernels": "*"})");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->AllowsNativeKernels("a"));
  EXPECT_TRUE(all->AllowsNativeKernels("added-later"));
}

TEST_F(AccessPolicyTest, MalformedRulesAreRefusedNamingTheirPlace) {
  const std::pair<std::string, std::string> cases[] = {
      {R"([])", "hald must be an object"},
      {R"({"acess": []})", "hald has an unknown key \"acess\" (known: access, native_kernels)"},
      {R"({"access": {}})", "hald.access must be an array"},
      {R"({"access": [1]})", "hald.access[0] must be an object"},
      {R"({"access": [{"uids": [1], "user": ["x"]}]})",
       "hald.access[0] has an unknown key \"user\""},
      {R"({"access": [{"uids": [1], "virtual_devices": ["a", "zz"]}]})",
       "hald.access[0].virtual_devices[1] names virtual device \"zz\", which the pool file does "
       "not define"},
      {R"({"access": [{"uids": [1], "virtual_devices": "a"}]})",
       "hald.access[0].virtual_devices must be \"*\" or an array of virtual device names"},
      {R"({"access": [{"users": ["hal-no-such-user"], "status": true}]})",
       "hald.access[0].users[0] names user \"hal-no-such-user\", unknown on this host"},
      {R"({"access": [{"groups": ["hal-no-such-group"], "status": true}]})",
       "hald.access[0].groups[0] names group \"hal-no-such-group\", unknown on this host"},
      {R"({"access": [{"users": [""], "status": true}]})",
       "hald.access[0].users[0] must be a non-empty string"},
      {R"({"access": [{"uids": [-1], "status": true}]})",
       "hald.access[0].uids[0] must be a numeric id in [0, 4294967295]"},
      {R"({"access": [{"gids": [4294967296], "status": true}]})",
       "hald.access[0].gids[0] must be a numeric id in [0, 4294967295]"},
      {R"({"access": [{"uids": "1000", "status": true}]})", "hald.access[0].uids must be an array"},
      {R"({"access": [{"tokens_sha256": ["abc"], "status": true}]})",
       "hald.access[0].tokens_sha256[0] must be a SHA-256 digest as 64 hex digits"},
      {absl::StrCat(R"({"access": [{"tokens_sha256": [")", std::string(64, 'g'),
                    R"("], "status": true}]})"),
       "hald.access[0].tokens_sha256[0] must be a SHA-256 digest"},
      {R"({"access": [{"uids": [1], "status": "yes"}]})",
       "hald.access[0].status must be true or false"},
      {R"({"access": [{"virtual_devices": "*"}]})",
       "hald.access[0] names no one: give users, uids, groups, gids or tokens_sha256"},
      {R"({"access": [{"uids": [1], "status": true}, {"uids": [1]}]})",
       "hald.access[1] grants nothing: give virtual_devices, \"status\": true or \"admin\": "
       "true"},
      {R"({"access": [{"uids": [1], "admin": 1}]})", "hald.access[0].admin must be true or false"},
      {R"({"native_kernels": ["zz"]})",
       "hald.native_kernels[0] names virtual device \"zz\", which the pool file does not define"},
      {R"({"native_kernels": true})", "hald.native_kernels must be \"*\" or an array"},
      {R"({"access": [], "access": []})", "duplicate key \"access\""},
  };
  for (const auto& [hald, message] : cases) {
    auto policy = Load(hald);
    ASSERT_FALSE(policy.ok()) << hald;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument) << policy.status();
    EXPECT_THAT(policy.status().message(), HasSubstr(message)) << hald;
    EXPECT_THAT(policy.status().message(), HasSubstr(path_)) << hald;
  }
}

TEST_F(AccessPolicyTest, AMissingFileIsNotFoundNamingIt) {
  auto policy = AccessPolicy::FromPoolFile(folder_.path() + "/absent.json");
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kNotFound) << policy.status();
  EXPECT_THAT(policy.status().message(), HasSubstr("absent.json"));
}

}  // namespace
}  // namespace hal::daemon
