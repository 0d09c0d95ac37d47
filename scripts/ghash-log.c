/*
 * A recording aid for scripts/record-qom-order.ts (not part of the model): an LD_PRELOAD library that logs, to the
 * file named by $HT_LOG, every key QEMU inserts into or removes from a GLib hash table of string keys (the property
 * tables of QOM objects among them), one line per call: `N|I|P|A|R|U|D <table> <key>`. Those sequences are what
 * the order of a `qom-list` reply follows (engine/qom/ghash.ts replays them).
 *
 *   cc -shared -fPIC -o ghash-log.so scripts/ghash-log.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdint.h>
typedef void *gpointer; typedef int gboolean; typedef unsigned (*GHashFunc)(const void *); typedef int (*GEqualFunc)(const void*, const void*); typedef void (*GDestroyNotify)(void*);
#define SETSZ (1<<22)
static uintptr_t set[SETSZ];
static int fd = -1;
static void *strhash;
static void init(void){ if(fd<0){ const char *p=getenv("HT_LOG"); fd = p? open(p,O_WRONLY|O_CREAT|O_APPEND,0644) : -2; strhash=dlsym(RTLD_DEFAULT,"g_str_hash"); } }
static size_t slot(uintptr_t p){ size_t i=(p>>4)&(SETSZ-1); while(set[i] && set[i]!=p) i=(i+1)&(SETSZ-1); return i; }
static void mark(void *t, int on){ size_t i=slot((uintptr_t)t); if(on) set[i]=(uintptr_t)t; else if(set[i]) set[i]=1; /* keep chain: 1 = dead marker */ }
static int isstr(void *t){ size_t i=slot((uintptr_t)t); return set[i]==(uintptr_t)t; }
static void logit(char op, void *t, const char *k){ if(fd<0) return; char buf[512]; int n=snprintf(buf,sizeof buf,"%c %p %s\n",op,t,k); if(n>0) write(fd,buf,n>511?511:n); }
void *g_hash_table_new_full(GHashFunc h, GEqualFunc e, GDestroyNotify kd, GDestroyNotify vd){ static void*(*real)(GHashFunc,GEqualFunc,GDestroyNotify,GDestroyNotify); if(!real) real=dlsym(RTLD_NEXT,"g_hash_table_new_full"); init(); void *t=real(h,e,kd,vd); mark(t,(void*)h==strhash); if((void*)h==strhash) logit('N',t,""); return t; }
void *g_hash_table_new(GHashFunc h, GEqualFunc e){ return g_hash_table_new_full(h,e,NULL,NULL); }
gboolean g_hash_table_insert(void *t, void *k, void *v){ static gboolean(*real)(void*,void*,void*); if(!real) real=dlsym(RTLD_NEXT,"g_hash_table_insert"); init(); if(isstr(t)) logit('I',t,(const char*)k); return real(t,k,v); }
gboolean g_hash_table_replace(void *t, void *k, void *v){ static gboolean(*real)(void*,void*,void*); if(!real) real=dlsym(RTLD_NEXT,"g_hash_table_replace"); init(); if(isstr(t)) logit('P',t,(const char*)k); return real(t,k,v); }
gboolean g_hash_table_add(void *t, void *k){ static gboolean(*real)(void*,void*); if(!real) real=dlsym(RTLD_NEXT,"g_hash_table_add"); init(); if(isstr(t)) logit('A',t,(const char*)k); return real(t,k); }
gboolean g_hash_table_remove(void *t, const void *k){ static gboolean(*real)(void*,const void*); if(!real) real=dlsym(RTLD_NEXT,"g_hash_table_remove"); init(); if(isstr(t)) logit('R',t,(const char*)k); return real(t,k); }
void g_hash_table_unref(void *t){ static void(*real)(void*); if(!real) real=dlsym(RTLD_NEXT,"g_hash_table_unref"); init(); if(isstr(t)) logit('U',t,""); real(t); }
void g_hash_table_destroy(void *t){ static void(*real)(void*); if(!real) real=dlsym(RTLD_NEXT,"g_hash_table_destroy"); init(); if(isstr(t)) { logit('D',t,""); mark(t,0);} real(t); }
