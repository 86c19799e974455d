#include "eventstore.h"
#include "storetest.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Pushboard;
using StoreTest::drafts;
using StoreTest::ids;

namespace { } // namespace

class tst_EventStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_options = StoreOptions {};
        m_options.dataDir = m_dir->path();
    }

    void concurrentPublishersShareOneCommit()
    {
        EventStore store;
        QVERIFY2(store.open(m_options), qPrintable(store.errorString()));
        QSignalSpy appended(&store, &EventStore::appended);
        QList<QList<quint64>> answers(3);
        int answered = 0;
        for (int publisher = 0; publisher < 3; ++publisher) {
            store.publish(drafts(publisher + 1, QStringLiteral("p%1").arg(publisher)),
                [&, publisher](const EventList &stored, const QString &error) {
                    QVERIFY(error.isEmpty());
                    answers[publisher] = ids(stored);
                    ++answered;
                });
        }
        QCOMPARE(answered, 0); // Never answered from inside publish().
        QCOMPARE(store.queuedDrafts(), 6);
        QTRY_COMPARE(answered, 3);
        QCOMPARE(appended.count(), 1); // One transaction for the three.
        QCOMPARE(answers,
            (QList<QList<quint64>> {
                QList<quint64> {1}, QList<quint64> {2, 3}, QList<quint64> {4, 5, 6}}));
        QCOMPARE(store.topics().size(), 3);

        // The next turn is a new commit.
        store.publish(drafts(1), {});
        QTRY_COMPARE(appended.count(), 2);
        QCOMPARE(store.newestId(), 7u);
    }

    void aFailedCommitAnswersEveryPublisher()
    {
        EventStore store;
        QVERIFY2(store.open(m_options), qPrintable(store.errorString()));
        QStringList errors;
        store.publish(drafts(2), [&](const EventList &stored, const QString &error) {
            QVERIFY(stored.isEmpty());
            errors.append(error);
        });
        store.publish(drafts(1), [&](const EventList &stored, const QString &error) {
            QVERIFY(stored.isEmpty());
            errors.append(error);
        });
        store.close(); // Before the commit: nothing can be stored.
        QTRY_COMPARE(errors.size(), 2);
        QVERIFY(!errors.constFirst().isEmpty());
        QVERIFY2(store.open(m_options), qPrintable(store.errorString()));
        QCOMPARE(store.newestId(), 0u); // No id was used up.
    }

    void idsStartAtOneAndIncreaseByOne()
    {
        EventStore store;
        QVERIFY2(store.open(m_options), qPrintable(store.errorString()));
        QCOMPARE(store.newestId(), 0u);
        QCOMPARE(store.oldestId(), 0u);
        QSignalSpy appended(&store, &EventStore::appended);

        const EventList first = store.append(drafts(3));
        QCOMPARE(ids(first), (QList<quint64> {1, 2, 3}));
        const EventList second = store.append(drafts(2));
        QCOMPARE(ids(second), (QList<quint64> {4, 5}));
        QCOMPARE(appended.count(), 2); // One signal per batch.
        QCOMPARE(appended.at(0).at(0).value<EventList>(), first);
        QCOMPARE(store.newestId(), 5u);
        QCOMPARE(store.oldestId(), 1u);
    }

    void appendStampsTimeAndKeepsGivenTime()
    {
        EventStore store([] { return qint64(1000); });
        QVERIFY(store.open(m_options));
        const EventList events = store.append(
            {EventDraft {QStringLiteral("a"), "1"}, EventDraft {QStringLiteral("b"), "2", 77}});
        QCOMPARE(events.at(0).timeMs, 1000);
        QCOMPARE(events.at(1).timeMs, 77);
    }

    void afterFiltersAndLimits()
    {
        EventStore store;
        QVERIFY(store.open(m_options));
        store.append({EventDraft {QStringLiteral("a"), "1"}, EventDraft {QStringLiteral("b"), "2"},
            EventDraft {QStringLiteral("a"), R"({"x":[1,2]})"},
            EventDraft {QStringLiteral("c"), "null"}});

        QCOMPARE(ids(store.after(0)), (QList<quint64> {1, 2, 3, 4}));
        QCOMPARE(ids(store.after(2)), (QList<quint64> {3, 4}));
        QCOMPARE(ids(store.after(4)), QList<quint64> {});
        QCOMPARE(ids(store.after(99)), QList<quint64> {});
        QCOMPARE(ids(store.after(0, {QStringLiteral("a")})), (QList<quint64> {1, 3}));
        QCOMPARE(ids(store.after(0, {QStringLiteral("a"), QStringLiteral("c")})),
            (QList<quint64> {1, 3, 4}));
        QCOMPARE(ids(store.after(0, {}, 2)), (QList<quint64> {1, 2}));
        QCOMPARE(ids(store.after(1, {QStringLiteral("a")}, 1)), QList<quint64> {3});
        QCOMPARE(
            store.after(2, {QStringLiteral("a")}).constFirst().data, QByteArray(R"({"x":[1,2]})"));
        QCOMPARE(store.after(0, {QStringLiteral("nope")}).size(), 0);
    }

    void restartContinuesIds()
    {
        {
            EventStore store;
            QVERIFY(store.open(m_options));
            store.append(drafts(4));
        }
        EventStore store;
        QVERIFY2(store.open(m_options), qPrintable(store.errorString()));
        QCOMPARE(store.newestId(), 4u);
        QCOMPARE(ids(store.after(2)), (QList<quint64> {3, 4}));
        QCOMPARE(store.after(3).constFirst().data, QByteArray("3"));
        QCOMPARE(ids(store.append(drafts(1))), QList<quint64> {5});
    }

    void retentionKeepsNewestCountOrYoungAge()
    {
        qint64 now = 1'000'000;
        m_options.keepCount = 10;
        m_options.keepAgeMs = 500;
        m_options.pruneChunk = 7; // Several steps.
        EventStore store([&now] { return now; });
        QVERIFY(store.open(m_options));
        store.append(drafts(30));

        store.pruneNow(); // All 30 are younger than keepAgeMs: nothing goes.
        QCOMPARE(store.count(), 30);
        QCOMPARE(store.oldestId(), 1u);

        now += 1000; // Now all are old: only the newest 10 stay.
        store.pruneNow();
        QCOMPARE(store.count(), 10);
        QCOMPARE(store.oldestId(), 21u);
        QCOMPARE(ids(store.after(0)).constFirst(), 21u);

        // 31..35 arrive young; 21..25 are now outside the newest 10 and old, so they go.
        store.append(drafts(5));
        store.pruneNow();
        QCOMPARE(store.oldestId(), 26u);
        QCOMPARE(store.count(), 10);
    }

    void retentionHardCapIgnoresAge()
    {
        m_options.keepCount = 5;
        m_options.maxCount = 8;
        EventStore store; // Real clock: every event is younger than an hour.
        QVERIFY(store.open(m_options));
        store.append(drafts(20));
        store.pruneNow();
        QCOMPARE(store.count(), 8);
        QCOMPARE(store.oldestId(), 13u);
    }

    void prunedIdsAreNeverReused()
    {
        qint64 now = 1'000'000;
        m_options.keepCount = 0;
        m_options.keepAgeMs = 10;
        {
            EventStore store([&now] { return now; });
            QVERIFY(store.open(m_options));
            store.append(drafts(6));
            now += 100;
            store.pruneNow();
            QCOMPARE(store.count(), 0);
            QCOMPARE(store.oldestId(), 0u);
            QCOMPARE(store.newestId(), 6u);
        }
        EventStore store([&now] { return now; });
        QVERIFY(store.open(m_options));
        QCOMPARE(store.newestId(), 6u);
        QCOMPARE(ids(store.append(drafts(1))), QList<quint64> {7});
    }

    void topicsAndSnapshotFollowAppendsPruningAndRestarts()
    {
        qint64 now = 1'000'000;
        m_options.keepCount = 3;
        m_options.keepAgeMs = 10;
        {
            EventStore store([&now] { return now; });
            QVERIFY(store.open(m_options));
            QVERIFY(store.topics().isEmpty());
            store.append({EventDraft {QStringLiteral("b"), "1"},
                EventDraft {QStringLiteral("a"), "2"}, EventDraft {QStringLiteral("b"), "3"}});
            auto topics = store.topics();
            QCOMPARE(topics.size(), 2);
            QCOMPARE(topics.at(0).topic, QStringLiteral("a"));
            QCOMPARE(topics.at(0).count, 1);
            QCOMPARE(topics.at(1).count, 2);
            QCOMPARE(topics.at(1).newest.id, 3u);
            QCOMPARE(ids(store.snapshot()), (QList<quint64> {2, 3}));

            now += 100;
            store.append({EventDraft {QStringLiteral("c"), "4"},
                EventDraft {QStringLiteral("c"), "5"}, EventDraft {QStringLiteral("b"), "6"}});
            store.pruneNow(); // 1..3 go: topic a disappears, b keeps one event.
            topics = store.topics();
            QCOMPARE(topics.size(), 2);
            QCOMPARE(topics.at(0).topic, QStringLiteral("b"));
            QCOMPARE(topics.at(0).count, 1);
            QCOMPARE(topics.at(1).count, 2);
            QCOMPARE(ids(store.snapshot()), (QList<quint64> {5, 6}));
        }
        EventStore store([&now] { return now; });
        QVERIFY(store.open(m_options));
        QCOMPARE(ids(store.snapshot()), (QList<quint64> {5, 6}));
        QCOMPARE(store.snapshot().constLast().data, QByteArray("6"));
        QCOMPARE(store.topics().at(1).count, 2);
    }

    void secondOwnerIsRefused()
    {
        EventStore first;
        QVERIFY(first.open(m_options));
        EventStore second;
        QVERIFY(!second.open(m_options));
        QVERIFY2(second.errorString().contains(QStringLiteral("in use by another pushboard")),
            qPrintable(second.errorString()));
        QVERIFY(second.errorString().contains(QString::number(QCoreApplication::applicationPid())));
        first.append(drafts(1)); // The owner is undisturbed.
        QCOMPARE(first.newestId(), 1u);

        first.close();
        QVERIFY2(second.open(m_options), qPrintable(second.errorString()));
        QCOMPARE(second.newestId(), 1u);
    }

    void corruptDatabaseIsLeftUntouched()
    {
        const QString path = m_dir->filePath(QStringLiteral("events.db"));
        const QByteArray garbage = QByteArray("this is not an SQLite database\n").repeated(200);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(garbage);
        }
        EventStore store;
        QVERIFY(!store.open(m_options));
        QVERIFY2(store.errorString().contains(QStringLiteral("cannot be used")),
            qPrintable(store.errorString()));
        QVERIFY(store.errorString().contains(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), garbage);

        // The lock was released with the failure: a fixed file opens.
        QVERIFY(QFile::remove(path));
        QVERIFY2(store.open(m_options), qPrintable(store.errorString()));
    }

    void unusableDataDirIsAClearError_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("data dir is a file") << QStringLiteral("file");
        QTest::newRow("database is a directory") << QStringLiteral("dbdir");
    }
    void unusableDataDirIsAClearError()
    {
        QFETCH(QString, kind);
        if (kind == QLatin1String("file")) {
            m_options.dataDir = m_dir->filePath(QStringLiteral("plain-file"));
            QFile file(m_options.dataDir);
            QVERIFY(file.open(QIODevice::WriteOnly));
        } else {
            QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("events.db")));
        }
        EventStore store;
        QVERIFY(!store.open(m_options));
        QVERIFY(!store.errorString().isEmpty());
        QVERIFY(!store.isOpen());
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    StoreOptions m_options;
};

QTEST_GUILESS_MAIN(tst_EventStore)
#include "tst_eventstore.moc"
